package ghfake

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// checkJWT checks the App JWT of an Authorization header with the App's
// public key and the server's clock; it returns why the JWT is refused ("" when
// it is accepted).
func (s *Server) checkJWT(auth string) string {
	jwt, ok := strings.CutPrefix(auth, "Bearer ")
	if !ok {
		return "no bearer"
	}
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		return "not three parts"
	}
	enc := base64.RawURLEncoding
	sig, err := enc.DecodeString(parts[2])
	if err != nil {
		return "signature encoding"
	}
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if err := rsa.VerifyPKCS1v15(s.App.Key, crypto.SHA256, sum[:], sig); err != nil {
		return "bad signature"
	}
	var header struct{ Alg, Typ string }
	hb, _ := enc.DecodeString(parts[0])
	if json.Unmarshal(hb, &header) != nil || header.Alg != "RS256" {
		return "header"
	}
	var claims struct {
		IAT int64  `json:"iat"`
		EXP int64  `json:"exp"`
		ISS string `json:"iss"`
	}
	cb, _ := enc.DecodeString(parts[1])
	if json.Unmarshal(cb, &claims) != nil {
		return "claims"
	}
	now := s.now().Unix()
	if claims.ISS != strconv.FormatInt(s.App.ID, 10) || claims.IAT > now || claims.EXP <= now || claims.EXP-claims.IAT > 600 {
		return fmt.Sprintf("claims %+v at %d", claims, now)
	}
	return ""
}

// mint hands out the App's installation token, valid one hour.
func (s *Server) mint(w http.ResponseWriter) {
	s.App.Minted++
	writeJSON(w, http.StatusCreated, map[string]any{
		"token":                s.App.Token,
		"expires_at":           s.now().Add(time.Hour).Format(time.RFC3339),
		"permissions":          map[string]any{"issues": "read", "members": "read", "security_events": "read"},
		"repository_selection": "all",
	})
}
