//go:build !linux

package cpupin

type pinState struct{}

func (p *Pin) pin()        {}
func (p *Pin) unpin() bool { return true }
