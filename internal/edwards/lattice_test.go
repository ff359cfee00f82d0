package edwards

import "testing"

func TestReduceHalfSizes(t *testing.T) {
	rng := newRand(t)
	sum8, sum1, n := 0, 0, 2000
	hist := map[int]int{}
	for i := 0; i < n; i++ {
		k := scalarWords(randScalar(rng))
		kk := u256{k[0], k[1], k[2], k[3]}
		h, _ := reduceHalf(&groupOrder8, &kk, 128, true)
		sum8 += h.maxBits()
		hist[h.maxBits()]++
		h, _ = reduceHalf(&groupOrder, &kk, 126, false)
		sum1 += h.maxBits()
	}
	t.Logf("mean max bits: mod 8l odd %.2f, mod l %.2f; histogram (8l) %v", float64(sum8)/float64(n), float64(sum1)/float64(n), hist)
}

func BenchmarkReduceHalf(b *testing.B) {
	rng := newRand(b)
	k := scalarWords(randScalar(rng))
	kk := u256{k[0], k[1], k[2], k[3]}
	for i := 0; i < b.N; i++ {
		reduceHalf(&groupOrder8, &kk, 128, true)
	}
}

// TestLehmerMatchesSteps checks that Lehmer runs reach exactly the states
// single steps reach.
func TestLehmerMatchesSteps(t *testing.T) {
	rng := newRand(t)
	var ks []u256
	for _, k := range specialKs() {
		if k.Cmp(u256Int(&groupOrder)) < 0 {
			ks = append(ks, intU256(k))
		}
	}
	for i := 0; i < 3000; i++ {
		k := scalarWords(randScalar(rng))
		ks = append(ks, u256{k[0], k[1], k[2], k[3]})
	}
	lehmerSteps, total := 0, 0
	for _, k := range ks {
		for _, n := range []*u256{&groupOrder, &groupOrder8} {
			for _, bound := range []int{64, 100, 126, 128, 140} {
				fast := euclid{rPrev: *n, rCur: k, tCur: u256{1}}
				slow := fast
				for fast.rCur.bitLen() > bound {
					steps := fast.lehmer(bound)
					if steps == 0 {
						if !fast.step() {
							break
						}
						steps = 1
					} else {
						lehmerSteps += steps
					}
					total += steps
					for j := 0; j < steps; j++ {
						if !slow.step() {
							t.Fatalf("slow step failed where Lehmer went on")
						}
					}
					if fast != slow {
						t.Fatalf("k=%x n=%x bound=%d: Lehmer state differs", k, *n, bound)
					}
				}
			}
		}
	}
	t.Logf("%d of %d steps done by Lehmer runs", lehmerSteps, total)
}
