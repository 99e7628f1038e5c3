package main

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestKeepSetting(t *testing.T) {
	for _, tc := range []struct {
		env, flag string
		want      time.Duration
		bad       bool
	}{
		{want: 90 * 24 * time.Hour},
		{flag: "30d", want: 30 * 24 * time.Hour},
		{env: "720h", want: 30 * 24 * time.Hour},
		{env: "720h", flag: "2d", want: 48 * time.Hour},
		{flag: " 3650d ", want: 3650 * 24 * time.Hour},
		{flag: "1d", bad: true},
		{flag: "47h", bad: true},
		{flag: "3651d", bad: true},
		{flag: "99999999999999d", bad: true},
		{flag: "-5d", bad: true},
		{flag: "90 days", bad: true},
		{flag: "", bad: true},
	} {
		args := []string{"-demo"}
		if tc.flag != "" || tc.bad {
			args = append(args, "-keep", tc.flag)
		}
		env := func(k string) (string, bool) { return tc.env, k == "VMESTE_KEEP" && tc.env != "" }
		cfg, err := parseConfig(args, env, &bytes.Buffer{})
		switch {
		case tc.bad && (err == nil || !strings.HasPrefix(err.Error(), "VMESTE_KEEP (-keep): ")):
			t.Errorf("env %q flag %q: %v; want an error naming VMESTE_KEEP", tc.env, tc.flag, err)
		case !tc.bad && (err != nil || cfg.Keep != tc.want):
			t.Errorf("env %q flag %q: %v, %v; want %v", tc.env, tc.flag, cfg.Keep, err, tc.want)
		}
	}
}

func TestOperatorSetting(t *testing.T) {
	for _, tc := range []struct {
		env, flag, want string
	}{
		{want: ""}, // unset: the bot names bot.DefaultOperator and warns
		{env: "  МКУ «Управление образования»  ", want: "МКУ «Управление образования»"},
		{env: "Отдел образования", flag: "Управление образования Эльбрусского района", want: "Управление образования Эльбрусского района"},
	} {
		args := []string{"-demo"}
		if tc.flag != "" {
			args = append(args, "-operator", tc.flag)
		}
		env := func(k string) (string, bool) { return tc.env, k == "VMESTE_OPERATOR" && tc.env != "" }
		cfg, err := parseConfig(args, env, &bytes.Buffer{})
		if err != nil || cfg.Operator != tc.want {
			t.Errorf("env %q flag %q: %q, %v; want %q", tc.env, tc.flag, cfg.Operator, err, tc.want)
		}
	}
}

func TestPublicURLSetting(t *testing.T) {
	for _, tc := range []struct {
		env, flag, want string
		bad             bool
	}{
		{want: ""}, // unset: no calendar feeds
		{env: "https://vmeste.example.ru/", want: "https://vmeste.example.ru"},
		{flag: "http://10.0.0.5:8080/bot", want: "http://10.0.0.5:8080/bot"},
		{env: "https://old.example.ru", flag: " https://vmeste.example.ru ", want: "https://vmeste.example.ru"},
		{flag: "vmeste.example.ru", bad: true},
		{flag: "ftp://vmeste.example.ru", bad: true},
		{flag: "https://vmeste.example.ru/?x=1", bad: true},
		{flag: "https://vmeste.example.ru/#top", bad: true},
		{flag: "https://user:pw@vmeste.example.ru", bad: true},
		{flag: "https:///calendar", bad: true},
		{flag: "/calendar", bad: true},
	} {
		args := []string{"-demo"}
		if tc.flag != "" {
			args = append(args, "-public-url", tc.flag)
		}
		env := func(k string) (string, bool) { return tc.env, k == "VMESTE_PUBLIC_URL" && tc.env != "" }
		cfg, err := parseConfig(args, env, &bytes.Buffer{})
		switch {
		case tc.bad && (err == nil || !strings.HasPrefix(err.Error(), "VMESTE_PUBLIC_URL (-public-url): ")):
			t.Errorf("env %q flag %q: %v; want an error naming VMESTE_PUBLIC_URL", tc.env, tc.flag, err)
		case !tc.bad && (err != nil || cfg.PublicURL != tc.want):
			t.Errorf("env %q flag %q: %q, %v; want %q", tc.env, tc.flag, cfg.PublicURL, err, tc.want)
		}
	}
	cfg := config{PublicURL: "https://vmeste.example.ru", HTTP: ":8080"}
	if got := calendarFeedURL(cfg); got != "https://vmeste.example.ru/calendar/" {
		t.Errorf("feed base %q", got)
	}
	cfg.HTTP = ""
	if got := calendarFeedURL(cfg); got != "" {
		t.Errorf("no HTTP port, yet a feed base %q", got)
	}
}

func TestPaidBroadcastSetting(t *testing.T) {
	for _, tc := range []struct {
		env, flag string
		want      int
		bad       bool
	}{
		{want: 0},
		{env: "31", want: 31},
		{flag: " 1000 ", want: 1000},
		{env: "100", flag: "500", want: 500},
		{flag: "30", bad: true},
		{flag: "1001", bad: true},
		{flag: "-1", bad: true},
		{flag: "fast", bad: true},
		{env: "0", bad: true},
	} {
		var args []string
		if tc.flag != "" {
			args = append(args, "-paid-broadcast", tc.flag)
		}
		args = append(args, "-demo")
		env := func(k string) (string, bool) { return tc.env, k == "VMESTE_PAID_BROADCAST" && tc.env != "" }
		cfg, err := parseConfig(args, env, &bytes.Buffer{})
		switch {
		case tc.bad && (err == nil || !strings.HasPrefix(err.Error(), "VMESTE_PAID_BROADCAST (-paid-broadcast): ")):
			t.Errorf("env %q flag %q: %v; want an error naming VMESTE_PAID_BROADCAST", tc.env, tc.flag, err)
		case !tc.bad && (err != nil || cfg.PaidBroadcast != tc.want):
			t.Errorf("env %q flag %q: %v, %v; want %v", tc.env, tc.flag, cfg.PaidBroadcast, err, tc.want)
		}
	}
}

// TestHelpHidesSecrets: -h prints each flag's default, which is the
// environment's value where one is set; never for the token or the
// webhook's secret. The values still reach the configuration, and a flag
// still wins.
func TestHelpHidesSecrets(t *testing.T) {
	const token, secret = "123456:AAsecret-token-value", "webhook_secret-value"
	env := func(k string) (string, bool) {
		switch k {
		case "TELEGRAM_BOT_TOKEN":
			return token, true
		case "VMESTE_WEBHOOK_SECRET":
			return secret, true
		case "VMESTE_OPERATOR":
			return "Управление образования района", true
		}
		return "", false
	}
	var out bytes.Buffer
	if _, err := parseConfig([]string{"-h"}, env, &out); !isHelp(err) {
		t.Fatalf("-h: %v, want the help", err)
	}
	help := out.String()
	if strings.Contains(help, token) || strings.Contains(help, secret) {
		t.Errorf("-h shows a secret:\n%s", help)
	}
	if !strings.Contains(help, "Управление образования района") {
		t.Errorf("-h no longer shows the environment's other values:\n%s", help)
	}
	cfg, err := parseConfig([]string{"-demo"}, env, &bytes.Buffer{})
	if err != nil || cfg.Token != token {
		t.Errorf("token from the environment: %q, %v; want %q", cfg.Token, err, token)
	}
	cfg, err = parseConfig([]string{"-demo", "-token", "1:flag"}, env, &bytes.Buffer{})
	if err != nil || cfg.Token != "1:flag" {
		t.Errorf("token flag over the environment: %q, %v", cfg.Token, err)
	}
}
