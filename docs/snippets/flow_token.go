// Mints a relink flow token in Go with golang-jwt. Run by docs/test/flow-tokens-languages.test.ts
// against Debian's golang-github-golang-jwt-jwt-dev (v4, GOPATH mode); with Go modules, import
// github.com/golang-jwt/jwt/v5 instead: the code is the same.
package main

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"os"
	"time"

	"github.com/golang-jwt/jwt"
)

// #region mint
// mintConnectToken returns a token that lets an end user connect a new integration.
func mintConnectToken(workspaceID, keyID, secret, originID, organizationName string) (string, error) {
	jti := make([]byte, 24) // unique: a token completes one flow
	if _, err := rand.Read(jti); err != nil {
		return "", err
	}
	now := time.Now().Unix()
	token := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{
		"iss":  workspaceID, // ws_…
		"aud":  "relink",
		"flow": "connect",
		"end_user": map[string]string{
			"origin_id":         originID,
			"organization_name": organizationName,
		},
		"jti": base64.RawURLEncoding.EncodeToString(jti),
		"iat": now,
		"exp": now + 900, // at most 3600 s after iat
	})
	token.Header["typ"] = "relink-flow+jwt"
	token.Header["kid"] = keyID
	// The HS256 key is the secret string's UTF-8 bytes, exactly as POST /v1/signing-keys returned it.
	return token.SignedString([]byte(secret))
}
// #endregion mint

func main() {
	token, err := mintConnectToken(
		os.Getenv("RELINK_WORKSPACE_ID"),
		os.Getenv("RELINK_SIGNING_KEY_ID"),
		os.Getenv("RELINK_SIGNING_SECRET"),
		"org_42",
		"Acme Corp",
	)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(token)
}
