//go:build !amd64 || !gc || purego

package field

func lanesMul(out, a, b *Lanes)         { lanesMulGeneric(out, a, b) }
func lanesSquareN(out, a *Lanes, n int) { lanesSquareNGeneric(out, a, n) }
