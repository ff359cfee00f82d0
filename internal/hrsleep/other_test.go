//go:build !linux

package hrsleep

const isLinux = false
