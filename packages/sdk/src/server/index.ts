// The entry that holds secrets: token minting and webhook verification. Filled in by the SDK issue.
export {};
