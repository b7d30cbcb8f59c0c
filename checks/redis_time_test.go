package checks

import (
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/redis/apiv1/redispb"
	"google.golang.org/genproto/googleapis/type/timeofday"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// These tables pin the clock-relative logic of redis.maintenance and redis.tls, which the
// scenarios exercise only at one instant.

func TestTimingOf(t *testing.T) {
	at := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	ts := func(d time.Duration) *timestamppb.Timestamp { return timestamppb.New(at.Add(d)) }
	for _, tc := range []struct {
		name     string
		schedule *redispb.MaintenanceSchedule
		want     maintenanceTiming
	}{
		{"nothing scheduled", nil, noMaintenance},
		{"empty schedule", &redispb.MaintenanceSchedule{}, noMaintenance},
		{"in 3 hours", &redispb.MaintenanceSchedule{StartTime: ts(3 * time.Hour), EndTime: ts(4 * time.Hour)}, maintenanceSoon},
		{"in exactly 24 hours", &redispb.MaintenanceSchedule{StartTime: ts(24 * time.Hour)}, maintenanceSoon},
		{"in 25 hours", &redispb.MaintenanceSchedule{StartTime: ts(25 * time.Hour)}, maintenanceLater},
		{"running", &redispb.MaintenanceSchedule{StartTime: ts(-time.Hour), EndTime: ts(time.Hour)}, maintenanceNow},
		{"running, no end", &redispb.MaintenanceSchedule{StartTime: ts(-time.Minute)}, maintenanceNow},
		{"over", &redispb.MaintenanceSchedule{StartTime: ts(-3 * time.Hour), EndTime: ts(-2 * time.Hour)}, noMaintenance},
	} {
		if got := timingOf(tc.schedule, at); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestClassifyCAs(t *testing.T) {
	at := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	ca := func(serial string, d time.Duration) *redispb.TlsCertificate {
		return &redispb.TlsCertificate{SerialNumber: serial, ExpireTime: timestamppb.New(at.Add(d))}
	}
	state := classifyCAs([]*redispb.TlsCertificate{ca("new", 5*365*24*time.Hour), ca("old", -time.Hour), ca("soon", 10*24*time.Hour)}, at)
	if state.Newest.GetSerialNumber() != "new" {
		t.Errorf("newest %s", state.Newest.GetSerialNumber())
	}
	if len(state.Expired) != 1 || state.Expired[0].GetSerialNumber() != "old" {
		t.Errorf("expired %v", state.Expired)
	}
	if len(state.Expiring) != 1 || state.Expiring[0].GetSerialNumber() != "soon" {
		t.Errorf("expiring %v", state.Expiring)
	}
	if s := classifyCAs([]*redispb.TlsCertificate{ca("edge", 30*24*time.Hour)}, at); len(s.Expiring) != 1 {
		t.Errorf("a CA expiring in exactly 30 days should warn")
	}
	if s := classifyCAs([]*redispb.TlsCertificate{ca("fine", 31*24*time.Hour)}, at); len(s.Expiring) != 0 || len(s.Expired) != 0 {
		t.Errorf("a CA expiring in 31 days should not warn")
	}
}

// TestRescheduleAdvice pins the commands redis.maintenance offers from scheduleDeadlineTime
// (canReschedule is deprecated and must not decide): which reschedule type, if any.
func TestRescheduleAdvice(t *testing.T) {
	start := time.Date(2026, 11, 25, 18, 0, 0, 0, time.UTC) // a Wednesday
	sunday3 := &redispb.MaintenancePolicy{WeeklyMaintenanceWindow: []*redispb.WeeklyMaintenanceWindow{{Day: 7, StartTime: &timeofday.TimeOfDay{Hours: 3}}}}
	for _, tc := range []struct {
		name     string
		deadline time.Duration // from start; 0 means the field is absent
		policy   *redispb.MaintenancePolicy
		want     string // the reschedule type offered, "" for none
	}{
		{"no deadline reported", 0, sunday3, "next-available-window"},
		{"deadline in two weeks, canReschedule absent", 14 * 24 * time.Hour, sunday3, "next-available-window"},
		{"deadline before the next window", 24 * time.Hour, sunday3, "specific-time"},
		{"deadline is the start", 0, nil, ""},
	} {
		schedule := &redispb.MaintenanceSchedule{StartTime: timestamppb.New(start), EndTime: timestamppb.New(start.Add(time.Hour))}
		if tc.name != "no deadline reported" {
			schedule.ScheduleDeadlineTime = timestamppb.New(start.Add(tc.deadline))
		}
		r := &redispb.Instance{MaintenanceSchedule: schedule, MaintenancePolicy: tc.policy}
		got := rescheduleAdvice(warn("x", "soon"), r, "gcloud redis instances describe x", "gcloud redis instances reschedule-maintenance x --reschedule-type next-available-window")
		offered := ""
		for _, c := range got.Remediation.Commands {
			for _, typ := range []string{"next-available-window", "specific-time"} {
				if strings.Contains(c, "--reschedule-type "+typ) {
					offered = typ
				}
			}
		}
		if offered != tc.want {
			t.Errorf("%s: offers %q, want %q (%v)", tc.name, offered, tc.want, got.Remediation.Commands)
		}
	}
}
