//go:build amd64 && gc && !purego

package edwards

// The lane routines run in assembly (vec_amd64.s) with AVX-512 IFMA or
// AVX2, and on their generic twins (vec.go) otherwise. The branch is on
// vecImpl, set from CPU flags.

func vecDouble(out, p *vecPoint) {
	switch vecImpl {
	case vecImplIFMA:
		vecDoubleIFMA(out, p)
	case vecImplAVX2:
		vecDoubleAVX2(out, p)
	default:
		vecDoubleGeneric(out, p)
	}
}

func vecAdd(out, p *vecPoint, q *vecCached, neg uint64) {
	switch vecImpl {
	case vecImplIFMA:
		vecAddIFMA(out, p, q, neg)
	case vecImplAVX2:
		vecAddAVX2(out, p, q, neg)
	default:
		vecAddGeneric(out, p, q, neg)
	}
}

func vecCache(out *vecCached, p *vecPoint) {
	switch vecImpl {
	case vecImplIFMA:
		vecCacheIFMA(out, p)
	case vecImplAVX2:
		vecCacheAVX2(out, p)
	default:
		vecCacheGeneric(out, p)
	}
}

// laneComb runs the assembly of vecImpl (laneCombIFMA or laneCombAVX2), and
// the twin otherwise.
func laneComb(acc *laneAcc, table *[16]laneCombGroup, digits *laneDigits) {
	switch vecImpl {
	case vecImplIFMA:
		laneCombIFMA(acc, table, digits)
	case vecImplAVX2:
		laneCombAVX2(acc, table, digits)
	default:
		laneCombGeneric(acc, table, digits)
	}
}
