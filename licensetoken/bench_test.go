package licensetoken_test

import (
	"crypto/ed25519"
	"strings"
	"testing"
	"time"
)

// BenchmarkVerify compares verifying a whole token (splitting, decoding the
// header and claims, looking the key up, checking the claims) with a bare
// ed25519.Verify of the same signing input. The key set is parsed once, as a
// product does.
func BenchmarkVerify(b *testing.B) {
	key, keys := keyPair(b, "key_1")
	token := sign(b, key, "key_1", claims())
	v := verifier(keys)
	v.Leeway = time.Minute

	b.Run("token", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := v.Verify(token); err != nil {
				b.Fatal(err)
			}
		}
	})

	last := strings.LastIndexByte(token, '.')
	input := []byte(token[:last])
	sig := ed25519.Sign(key, input)
	pub := key.Public().(ed25519.PublicKey)
	b.Run("ed25519", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if !ed25519.Verify(pub, input, sig) {
				b.Fatal("signature does not verify")
			}
		}
	})
}
