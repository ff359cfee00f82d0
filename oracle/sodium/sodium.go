// Package sodium binds libsodium's Ed25519 verifier,
// crypto_sign_verify_detached, through cgo, for the oracle module's tests.
//
// It is a package of its own so that a machine without libsodium's headers
// (Debian: libsodium-dev) fails to build only this package, with
// pkg-config's "Package libsodium was not found" message, and not the rest
// of the oracle module. make oracle-test checks for the package first.
//
// The behaviour was checked against libsodium 1.0.18 (Debian 12
// 1.0.18-1+deb12u1, pkg-config --modversion 1.0.18); the test logs the
// version it runs against (sodium_version_string).
package sodium

/*
#cgo pkg-config: libsodium
#include <sodium.h>
*/
import "C"

import (
	"fmt"
	"unsafe"
)

func init() {
	// sodium_init returns 0 on success, 1 if already initialised, -1 on
	// failure.
	if C.sodium_init() < 0 {
		panic("sodium: sodium_init failed")
	}
}

// Version returns libsodium's version string (sodium_version_string).
func Version() string { return C.GoString(C.sodium_version_string()) }

// Verify returns crypto_sign_verify_detached(sig, msg, len(msg), pub) == 0.
// libsodium reads a 64-byte signature and a 32-byte key: Verify panics on
// other lengths rather than let C read past a slice.
func Verify(pub, msg, sig []byte) bool {
	if len(pub) != C.crypto_sign_PUBLICKEYBYTES || len(sig) != C.crypto_sign_BYTES {
		panic(fmt.Sprintf("sodium: key of %d bytes, signature of %d: want %d and %d", len(pub), len(sig), C.crypto_sign_PUBLICKEYBYTES, C.crypto_sign_BYTES))
	}
	var empty [1]byte
	m := unsafe.Pointer(&empty[0])
	if len(msg) > 0 {
		m = unsafe.Pointer(&msg[0])
	}
	return C.crypto_sign_verify_detached(
		(*C.uchar)(unsafe.Pointer(&sig[0])),
		(*C.uchar)(m),
		C.ulonglong(len(msg)),
		(*C.uchar)(unsafe.Pointer(&pub[0])),
	) == 0
}
