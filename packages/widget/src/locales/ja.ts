import type { Translation } from "./en.ts";

const ja: Translation = {
  lang: "ja",
  close: "閉じる",
  cancel: "キャンセル",
  back: "戻る",
  continue: "続ける",
  tryAgain: "もう一度試す",
  loading: "読み込み中…",
  stepOf: (step, steps) => `ステップ ${step}/${steps}`,
  newLink: "送信者に新しいリンクを依頼してください。",

  introTitleRelink: (tool) => `${tool} を再接続`,
  introTitleConnect: (tool) => (tool ? `${tool} を接続` : "ツールを接続"),
  introLeadRelink: (organization, tool) => `${organization} と ${tool} の接続に対応が必要です。`,
  introLeadConnect: (organization, tool) =>
    `データを同期できるよう、${organization} の${tool ? ` ${tool} ` : ""}アカウントを接続してください。`,
  introNewPermissions: (count) =>
    `現在の認証情報で許可されている権限に加えて、あと ${count} 件の権限が必要になりました。`,
  introCredentials: "データの同期を続けるには、新しい認証情報を入力してください。",
  introScope: (from, to) => `共有されるデータが「${from}」から「${to}」に変わります。`,
  introExpires: (date) => `このリンクの有効期限は ${date} です。`,
  start: "始める",

  toolTitle: "ツールを選択",
  toolLead: (organization) => `${organization} が使用しているシステムはどれですか？`,

  permissionsTitle: "付与する権限",
  permissionsLead: (tool, count) =>
    count === 1
      ? `認証情報には ${tool} の次の権限が必要です：`
      : `認証情報には ${tool} の次の ${count} 件の権限が必要です：`,
  permissionsLeadOAuth: (tool, count) =>
    count === 1
      ? `${tool} で次の権限の承認を求められます：`
      : `${tool} で次の ${count} 件の権限の承認を求められます：`,
  newBadge: "新規",
  whereToGrant: "付与する場所：",
  optionalTitle: "任意のデータ",
  optionalLead: "共有したくない項目のチェックを外してください。",

  credentialsTitle: (tool) => `${tool} の認証情報`,
  credentialsLead: (organization, tool) =>
    `${organization} の ${tool} アカウントの認証情報を入力してください。`,
  showSecret: (label) => `${label}を表示`,
  required: (label) => `${label}は必須です。`,
  optionalField: "任意",
  submit: "接続",
  oauthTitle: (tool) => `${tool} にサインイン`,
  oauthLead: (tool) => `新しいウィンドウで ${tool} にサインインし、アクセスを承認してください。`,
  oauthButton: (tool) => `${tool} で続ける`,
  oauthWaiting: (tool) => `${tool} のウィンドウで操作を完了してください…`,
  popupBlocked: "ウィンドウを開けませんでした。このサイトのポップアップを許可して、もう一度お試しください。",
  popupClosed: "完了する前にウィンドウが閉じられました。もう一度お試しください。",
  oauthDenied: (tool) =>
    `${tool} でアクセスが承認されませんでした。続けるには、もう一度試してアクセスを承認してください。`,

  checkingTitle: "確認中…",
  checkingLead: (tool) => `${tool} で認証情報と権限を確認しています。`,

  successTitle: "接続しました",
  successLead: (organization, tool) =>
    `${organization} の ${tool} アカウントが接続されました。同期を開始します。`,
  successAccountLead: (account, tool) =>
    `${tool} アカウント「${account}」が接続されました。同期を開始します。`,
  accountAlreadyConnected: (tool, organization) =>
    `この ${tool} アカウントは、すでに別の組織で接続されています。${organization} のアカウントでない場合は、正しいアカウントで ${tool} にサインインし、もう一度接続してください。`,
  done: "完了",

  invalidTitle: "この認証情報は使用できませんでした",
  invalidLead: (tool) => `${tool} に拒否されました。内容を確認して、もう一度お試しください。`,
  missingTitle: (count) => `${count} 件の権限が不足しています`,
  missingLead: (tool) =>
    `認証情報は有効ですが、${tool} で必要な権限がすべて付与されていません。次の権限を付与してください：`,
  checkAgain: "もう一度確認",
  otherCredentials: "別の認証情報を使う",
  mismatchTitle: "別のアカウントです",
  mismatchLead: (organization, tool) =>
    `この認証情報は別の ${tool} アカウントのものです。${organization} のアカウントの認証情報を使用してください。`,
  expiredTitle: "このリンクは有効期限が切れています",
  expiredLead: "セキュリティのため、リンクの有効期間は限られています。",
  usedTitle: "このリンクはすでに使用されています",
  usedLead: "1 つのリンクで完了できる接続は 1 回だけです。",
  tokenTitle: "このリンクは無効です",
  tokenLead: "不完全か、取り消された可能性があります。",
  unreachableTitle: (tool) => `${tool} に接続できませんでした`,
  unreachableLead: "何も変更されていません。しばらくしてから、もう一度お試しください。",
  rateTitle: "試行回数が多すぎます",
  rateLead: "1 分待ってから、もう一度お試しください。",
  networkTitle: "接続できません",
  networkLead: "relink サーバーに接続できませんでした。接続を確認して、もう一度お試しください。",
  genericTitle: "問題が発生しました",
  genericLead: "何も変更されていません。もう一度お試しください。",

  confirmTitle: "入力内容を破棄しますか？",
  confirmLead: "入力した認証情報は失われます。",
  keepEditing: "編集を続ける",
  discard: "破棄して閉じる",

  handoffAsked: (who, tool) =>
    `${who ?? "チームのメンバー"} から ${tool ?? "このツール"} の再接続を依頼されました。管理者による操作が必要です。`,
  supersededTitle: "すでに再接続されています",
  supersededLead: (date) => `${date} に別のユーザーがこの連携を再接続しました。これ以上の操作は不要です。`,
  handoffButton: "管理者ではありません — 管理者に送る",
  handoffTitle: "管理者に送る",
  handoffLead: (organization, tool) =>
    `${organization} の ${tool} アカウントの管理者向けリンクを作成します。同じ権限で、この同じリクエストが開きます。`,
  handoffName: "あなたの名前またはメールアドレス",
  handoffCreate: "リンクを作成",
  handoffDoneTitle: "管理者向けのリンク",
  handoffDoneLead: (tool) =>
    `このリンクを管理者に送ってください。管理者が ${tool} を再接続すれば、あなたの操作は不要です。`,
  handoffLink: "リンク",
  handoffCopy: "コピー",
  handoffCopied: "リンクをコピーしました。",
  handoffCopyManual: "リンクを選択しました。キーボードでコピーしてください。",
  handoffExpires: (date) => `このリンクは ${date} まで有効です。`,

  embedded: {
    introExpires: (date) => `${date} までに完了してください。`,
    newLink: "続けるには、最初からやり直してください。",
    expiredTitle: "このセッションは有効期限が切れています",
    expiredLead: "セキュリティのため、各セッションの有効期間は限られています。",
    usedTitle: "このセッションはすでに完了しています",
    usedLead: "1 つのセッションで完了できる接続は 1 回だけです。",
    tokenTitle: "このセッションは無効です",
    tokenLead: "不完全か、取り消された可能性があります。",
  },
};

export default ja;
