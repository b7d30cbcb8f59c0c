package inventory

import (
	"runtime"
	"sync"
	"weak"
)

// References a plan makes from a service's environment to a Redis instance. When the plan
// creates the instance, REDIS_HOST = google_redis_instance.x.host is known only after
// apply, so the env cannot be matched to an instance by its host; but the configuration
// says which instance the value comes from, and that is the service's Redis. The plan
// reader records these references here and selectRedis uses them when nothing else in the
// env names an instance, so a gate on a plan that creates the instance needs no --redis.
//
// They are kept beside the inventory rather than in it: they are a by-product of reading
// one plan, not a resource, and a table keyed by a weak pointer frees its entry together
// with the inventory.

// plannedEnv maps an inventory to its env references: service canonical name → variable
// name → Redis canonical name.
var plannedEnv struct {
	sync.Mutex
	m map[weak.Pointer[Inventory]]map[string]map[string]string
}

// notePlannedEnvRedis records that the plan gives variable of service (canonical name) a
// value, known only after apply, taken from the Redis instance redis (canonical name).
func (inv *Inventory) notePlannedEnvRedis(service, variable, redis string) {
	key := weak.Make(inv)
	plannedEnv.Lock()
	defer plannedEnv.Unlock()
	if plannedEnv.m == nil {
		plannedEnv.m = map[weak.Pointer[Inventory]]map[string]map[string]string{}
	}
	refs, ok := plannedEnv.m[key]
	if !ok {
		refs = map[string]map[string]string{}
		plannedEnv.m[key] = refs
		runtime.AddCleanup(inv, func(key weak.Pointer[Inventory]) {
			plannedEnv.Lock()
			delete(plannedEnv.m, key)
			plannedEnv.Unlock()
		}, key)
	}
	if refs[service] == nil {
		refs[service] = map[string]string{}
	}
	refs[service][variable] = redis
}

// PlannedEnvVarRedis returns the canonical name of the Redis instance from which a
// Terraform plan takes the value of the service's environment variable, when that value
// is known only after apply (REDIS_HOST = google_redis_instance.x.host of an instance the
// plan creates); "" otherwise. service is the service's canonical name.
func (inv *Inventory) PlannedEnvVarRedis(service, variable string) string {
	plannedEnv.Lock()
	defer plannedEnv.Unlock()
	return plannedEnv.m[weak.Make(inv)][service][variable]
}

// PlannedEnvRedis returns the canonical name of the one Redis instance that the
// environment of a planned service (canonical name) names through values known only after
// apply, or "" when it names none or several different ones: then nothing is guessed.
func (inv *Inventory) PlannedEnvRedis(service string) string {
	plannedEnv.Lock()
	defer plannedEnv.Unlock()
	found := ""
	for _, redis := range plannedEnv.m[weak.Make(inv)][service] {
		if found != "" && found != redis {
			return ""
		}
		found = redis
	}
	return found
}
