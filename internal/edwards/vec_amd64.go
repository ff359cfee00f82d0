//go:build amd64 && gc && !purego

package edwards

// The lane routines run in assembly (vec_amd64.s) with AVX-512 IFMA and on
// their generic twins (vec.go) otherwise. The branch is on a CPU flag.

func vecDouble(out, p *vecPoint) {
	if vecAsm {
		vecDoubleIFMA(out, p)
		return
	}
	vecDoubleGeneric(out, p)
}

func vecAdd(out, p *vecPoint, q *vecCached, neg uint64) {
	if vecAsm {
		vecAddIFMA(out, p, q, neg)
		return
	}
	vecAddGeneric(out, p, q, neg)
}

func vecCache(out *vecCached, p *vecPoint) {
	if vecAsm {
		vecCacheIFMA(out, p)
		return
	}
	vecCacheGeneric(out, p)
}

func vecLookup8(out *vecCached, row *vecTable8, idx uint64) {
	if vecAsm {
		vecLookup8IFMA(out, row, idx)
		return
	}
	vecLookup8Generic(out, row, idx)
}
