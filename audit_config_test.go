package main

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// TestAuditKeepSetting: VMESTE_AUDIT_KEEP (-audit-keep) parses as
// VMESTE_KEEP does, a year by default; a bad value names the setting.
func TestAuditKeepSetting(t *testing.T) {
	for _, tc := range []struct {
		env, flag string
		want      time.Duration
		bad       bool
	}{
		{want: 365 * 24 * time.Hour},
		{flag: "730d", want: 730 * 24 * time.Hour},
		{env: "2160h", want: 90 * 24 * time.Hour},
		{env: "2160h", flag: "3d", want: 72 * time.Hour},
		{flag: "1d", bad: true},
		{flag: "3651d", bad: true},
		{flag: "год", bad: true},
	} {
		args := []string{"-demo"}
		if tc.flag != "" || tc.bad {
			args = append(args, "-audit-keep", tc.flag)
		}
		env := func(k string) (string, bool) { return tc.env, k == "VMESTE_AUDIT_KEEP" && tc.env != "" }
		cfg, err := parseConfig(args, env, &bytes.Buffer{})
		switch {
		case tc.bad && (err == nil || !strings.HasPrefix(err.Error(), "VMESTE_AUDIT_KEEP (-audit-keep): ")):
			t.Errorf("env %q flag %q: %v; want an error naming VMESTE_AUDIT_KEEP", tc.env, tc.flag, err)
		case !tc.bad && (err != nil || cfg.AuditKeep != tc.want):
			t.Errorf("env %q flag %q: %v, %v; want %v", tc.env, tc.flag, cfg.AuditKeep, err, tc.want)
		}
	}
}
