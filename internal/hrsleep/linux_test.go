//go:build linux

package hrsleep

const isLinux = true
