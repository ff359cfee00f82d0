//go:build amd64 && gc && !purego

package edwards

import "github.com/ronkms/ronkms/internal/cpufeat"

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

func vecLookup8(out *vecCached, row *vecTable8, idx uint64) {
	switch vecImpl {
	case vecImplIFMA:
		vecLookup8IFMA(out, row, idx)
	case vecImplAVX2:
		vecLookup8AVX2(out, row, idx)
	default:
		vecLookup8Generic(out, row, idx)
	}
}

// laneComb runs laneCombAVX2 wherever the lane routines run in assembly
// (every CPU with AVX-512 IFMA has AVX2), and its twin otherwise.
func laneComb(acc *laneAcc, table *[16]laneCombGroup, digits *laneDigits) {
	if vecImpl != vecImplGeneric && cpufeat.AVX2 {
		laneCombAVX2(acc, table, digits)
	} else {
		laneCombGeneric(acc, table, digits)
	}
}
