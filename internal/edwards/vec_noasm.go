//go:build !amd64 || !gc || purego

package edwards

func vecDouble(out, p *vecPoint)                        { vecDoubleGeneric(out, p) }
func vecAdd(out, p *vecPoint, q *vecCached, neg uint64) { vecAddGeneric(out, p, q, neg) }
func vecCache(out *vecCached, p *vecPoint)              { vecCacheGeneric(out, p) }

func laneComb(acc *laneAcc, table *[16]laneCombGroup, digits *laneDigits) {
	laneCombGeneric(acc, table, digits)
}
