"""Mints a relink flow token in Python with PyJWT (Debian: python3-jwt). Run by docs/test/flow-tokens-languages.test.ts."""
import os
import secrets
import time

import jwt  # PyJWT

# #region mint
def mint_relink_token(workspace_id: str, key_id: str, secret: str, integration_id: str, lifetime: int = 900) -> str:
    """A token that lets the end user relink one integration: hand it to <relink-connect>."""
    now = int(time.time())
    claims = {
        "iss": workspace_id,  # ws_…
        "aud": "relink",
        "flow": "relink",
        "sub": integration_id,  # int_…
        "jti": secrets.token_urlsafe(24),  # unique: a token completes one flow
        "iat": now,
        "exp": now + lifetime,  # at most 3600 s after iat
    }
    # The HS256 key is the secret string's UTF-8 bytes, exactly as POST /v1/signing-keys returned it.
    return jwt.encode(
        claims,
        secret.encode("utf-8"),
        algorithm="HS256",
        headers={"typ": "relink-flow+jwt", "kid": key_id},
    )
# #endregion mint


if __name__ == "__main__":
    print(
        mint_relink_token(
            os.environ["RELINK_WORKSPACE_ID"],
            os.environ["RELINK_SIGNING_KEY_ID"],
            os.environ["RELINK_SIGNING_SECRET"],
            os.environ["RELINK_INTEGRATION_ID"],
        )
    )
