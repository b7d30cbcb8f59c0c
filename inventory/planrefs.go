package inventory

// References a plan makes from a service's environment to a Redis instance. When the plan
// creates the instance, REDIS_HOST = google_redis_instance.x.host is known only after
// apply, so the env cannot be matched to an instance by its host; but the configuration
// says which instance the value comes from, and that is the service's Redis. The plan
// reader records these references with NotePlannedEnvRedis and selectRedis uses them when
// nothing else in the env names an instance, so a gate on a plan that creates the instance
// needs no --redis.

// NotePlannedEnvRedis records that a Terraform plan gives variable of service (canonical name) a
// value, known only after apply, taken from the Redis instance redis (canonical name).
func (inv *Inventory) NotePlannedEnvRedis(service, variable, redis string) {
	setNested(&inv.plannedEnv, service, variable, redis)
}

// setNested sets (*m)[outer][inner] = v, making the maps it needs.
func setNested[V any](m *map[string]map[string]V, outer, inner string, v V) {
	if *m == nil {
		*m = map[string]map[string]V{}
	}
	if (*m)[outer] == nil {
		(*m)[outer] = map[string]V{}
	}
	(*m)[outer][inner] = v
}

// PlannedEnvVarRedis returns the canonical name of the Redis instance from which a
// Terraform plan takes the value of the service's environment variable, when that value
// is known only after apply (REDIS_HOST = google_redis_instance.x.host of an instance the
// plan creates); "" otherwise. service is the service's canonical name.
func (inv *Inventory) PlannedEnvVarRedis(service, variable string) string {
	return inv.plannedEnv[service][variable]
}

// PlannedEnvRedis returns the canonical name of the one Redis instance that the
// environment of a planned service (canonical name) names through values known only after
// apply, or "" when it names none or several different ones: then nothing is guessed.
func (inv *Inventory) PlannedEnvRedis(service string) string {
	found := ""
	for _, redis := range inv.plannedEnv[service] {
		if found != "" && found != redis {
			return ""
		}
		found = redis
	}
	return found
}
