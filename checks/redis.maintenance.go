package checks

import (
	"fmt"
	"strings"
	"time"

	"cloud.google.com/go/redis/apiv1/redispb"

	"github.com/vpcdoctor/vpcdoctor/inventory"
)

// redisMaintenance declares the check redis.maintenance: its hop, title, prerequisites, the
// fields it reads, and its Run (checkRedisMaintenance, below).
func redisMaintenance() Check {
	return Check{
		ID: "redis.maintenance", Hop: HopRedis, Title: "No maintenance within 24 hours",
		Summary:  "the instance is not in maintenance or failing over, and no maintenance starts within 24 hours",
		Requires: []string{"redis.found"},
		RunAt:    checkRedisMaintenance,
	}
}

// maintenanceHorizon is how far ahead redis.maintenance looks for scheduled maintenance.
const maintenanceHorizon = 24 * time.Hour

// maintenanceTiming says where now falls relative to an instance's maintenance schedule.
type maintenanceTiming int

const (
	noMaintenance maintenanceTiming = iota
	maintenanceLater
	maintenanceSoon
	maintenanceNow
)

// timingOf places at relative to the schedule: in the window, within the horizon before
// it, or later (or nothing scheduled).
func timingOf(schedule *redispb.MaintenanceSchedule, at time.Time) maintenanceTiming {
	if schedule.GetStartTime() == nil {
		return noMaintenance
	}
	start := schedule.GetStartTime().AsTime()
	end := schedule.GetEndTime().AsTime()
	switch {
	case !at.Before(start) && (schedule.GetEndTime() == nil || !at.After(end)):
		return maintenanceNow
	case at.Before(start) && start.Sub(at) <= maintenanceHorizon:
		return maintenanceSoon
	case at.Before(start):
		return maintenanceLater
	}
	return noMaintenance
}

// weeklyWindow describes the instance's maintenance policy, e.g. "SUNDAY 03:00 UTC for 1h0m0s".
func weeklyWindow(r *redispb.Instance) string {
	var windows []string
	for _, w := range r.GetMaintenancePolicy().GetWeeklyMaintenanceWindow() {
		windows = append(windows, fmt.Sprintf("%s %02d:%02d UTC for %s", w.GetDay(), w.GetStartTime().GetHours(), w.GetStartTime().GetMinutes(), w.GetDuration().AsDuration()))
	}
	if len(windows) == 0 {
		return "no maintenance window set (Memorystore picks one)"
	}
	return "weekly window " + strings.Join(windows, ", ")
}

const retryAdvice = "Make clients reconnect with exponential backoff and retry idempotent commands; keep connection pools able to drop dead connections"

func checkRedisMaintenance(p *inventory.Path, at time.Time) Result {
	r, ref := p.Redis, p.RedisRef
	describe := command("gcloud redis instances describe %s --region %s --project %s --format 'yaml(state,maintenanceSchedule,maintenancePolicy)'", ref.Name, ref.Region, ref.Project)
	switch state := r.GetState(); state {
	case redispb.Instance_MAINTENANCE, redispb.Instance_FAILING_OVER:
		return warn(ref.String(), "Redis %s is in state %s now: clients see connections reset (`read: connection reset by peer`, `ECONNRESET`) and, on the Standard tier, a failover to the replica; %s", ref.Name, state, weeklyWindow(r)).
			fix(retryAdvice+".", describe)
	}
	schedule := r.GetMaintenanceSchedule()
	start := schedule.GetStartTime().AsTime().UTC()
	reschedule := command("gcloud redis instances reschedule-maintenance %s --region %s --project %s --reschedule-type next-available-window", ref.Name, ref.Region, ref.Project)
	switch timingOf(schedule, at) {
	case maintenanceNow:
		return warn(ref.String(), "Redis %s is in its scheduled maintenance (%s to %s): expect connection resets and a short failover", ref.Name, start.Format(time.RFC3339), schedule.GetEndTime().AsTime().UTC().Format(time.RFC3339)).
			fix(retryAdvice+".", describe)
	case maintenanceSoon:
		result := warn(ref.String(), "Redis %s has maintenance scheduled at %s, in %s: clients will see connection resets and a short failover", ref.Name, start.Format(time.RFC3339), at.Sub(start).Abs().Round(time.Minute))
		return rescheduleAdvice(result, r, describe, reschedule)
	case maintenanceLater:
		return pass(ref.String(), "Redis %s is READY; its next maintenance is scheduled at %s, more than 24 hours away (%s)", ref.Name, start.Format(time.RFC3339), weeklyWindow(r))
	}
	return pass(ref.String(), "Redis %s has no maintenance scheduled (%s)", ref.Name, weeklyWindow(r))
}

// rescheduleAdvice completes the warning about an upcoming maintenance with whether it can
// still move. scheduleDeadlineTime is the field that says so ("the deadline that the
// maintenance schedule start time can not go beyond, including reschedule"); canReschedule
// is deprecated and not read. Without a deadline the instance does not say, so the command
// is offered with that caveat: the API refuses a reschedule it does not allow.
func rescheduleAdvice(result Result, r *redispb.Instance, describe, reschedule string) Result {
	schedule := r.GetMaintenanceSchedule()
	start := schedule.GetStartTime().AsTime().UTC()
	if schedule.GetScheduleDeadlineTime() == nil {
		result.Message += "; the instance reports no scheduleDeadlineTime, so whether it can still move is not known"
		return result.fix(retryAdvice+", or try to move the maintenance to the next window (refused if it can no longer move).", reschedule, describe)
	}
	deadline := schedule.GetScheduleDeadlineTime().AsTime().UTC()
	if !deadline.After(start) {
		result.Message += fmt.Sprintf("; its deadline (scheduleDeadlineTime %s) is its start, so it can no longer move", deadline.Format(time.RFC3339))
		return result.fix(retryAdvice+" (this maintenance can no longer be rescheduled).", describe)
	}
	result.Message += fmt.Sprintf("; it can move up to its deadline (scheduleDeadlineTime %s)", deadline.Format(time.RFC3339))
	if next, ok := nextWindowAfter(r, start.Add(time.Minute)); ok && next.After(deadline) {
		// The next weekly window is past the deadline: only a specific time before it works.
		specific := strings.Replace(reschedule, "--reschedule-type next-available-window", "--reschedule-type specific-time --schedule-time "+deadline.Format(time.RFC3339), 1)
		return result.fix(retryAdvice+", or move the maintenance to a quieter time before its deadline.", specific)
	}
	return result.fix(retryAdvice+", or move the maintenance to the next window.", reschedule)
}

// nextWindowAfter is the start of the first weekly maintenance window after t, when the
// instance has a maintenance policy.
func nextWindowAfter(r *redispb.Instance, t time.Time) (time.Time, bool) {
	var best time.Time
	found := false
	for _, w := range r.GetMaintenancePolicy().GetWeeklyMaintenanceWindow() {
		if w.GetDay() == 0 {
			continue // DAY_OF_WEEK_UNSPECIFIED
		}
		weekday := int(w.GetDay()) % 7 // DayOfWeek: MONDAY=1 … SUNDAY=7; time.Weekday: Sunday=0
		day := time.Date(t.Year(), t.Month(), t.Day(), int(w.GetStartTime().GetHours()), int(w.GetStartTime().GetMinutes()), 0, 0, time.UTC)
		day = day.AddDate(0, 0, (weekday-int(day.Weekday())+7)%7)
		if !day.After(t) {
			day = day.AddDate(0, 0, 7)
		}
		if !found || day.Before(best) {
			best, found = day, true
		}
	}
	return best, found
}
