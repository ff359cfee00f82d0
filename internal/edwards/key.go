package edwards

// A Key is a public key A prepared for the verification equations: the
// point, and the table of odd multiples of -A that every check otherwise
// builds for each signature (one doubling and seven additions). Only the
// table of the path this CPU runs (lane form or scalar formulas, fixed at
// start-up) is filled, and the checks use it only on that path (tests switch
// paths). A Key is read-only once set: checks may share it across
// goroutines.
type Key struct {
	point   Point
	lanes   bool      // which table is filled: the value of useVec at Set
	vec     vecTable8 // lanes: -A, -3A, ..., -15A in lane form
	generic nafTable5 // otherwise: the same multiples, projective cached
}

// Set prepares k for the point A and returns k.
func (k *Key) Set(A *Point) *Key {
	k.point.Set(A)
	var na Point
	na.Negate(A)
	k.lanes = useVec
	if k.lanes {
		k.vec.init(&na)
	} else {
		k.generic.init(&na)
	}
	return k
}

// Point returns the key's point.
func (k *Key) Point() *Point { return &k.point }
