package edwards

// This is the only file of the package that names a field implementation.
// Every other file uses fe and the helpers below, so moving to another
// implementation of the same API (github.com/ronkms/ronkms/field) is a change
// of the import path on the next line.
import field "github.com/ronkms/ronkms/field"

// fe is an element of GF(2^255 - 19). Its methods are those of
// filippo.io/edwards25519/field.Element: receivers and arguments may alias.
type fe = field.Element
