package inventory_test

import (
	"testing"

	"github.com/vpcdoctor/vpcdoctor/inventory"
)

func TestRedactEnvValue(t *testing.T) {
	tests := []struct{ name, value, want string }{
		{"REDIS_HOST", "10.0.0.3", "10.0.0.3"},
		{"REDIS_PORT", "6379", "6379"},
		{"REDIS_PASSWORD", "hunter2", inventory.Redacted},
		{"redis_auth", "hunter2", inventory.Redacted},
		{"API_TOKEN", "abc", inventory.Redacted},
		{"SIGNING_KEY", "abc", inventory.Redacted},
		{"GOOGLE_CREDENTIALS", "{}", inventory.Redacted},
		{"APP_SECRET", "x", inventory.Redacted},
		{"REDIS_URL", "redis://:s3cret@10.0.0.3:6379/0", "redis://:%3Credacted%3E@10.0.0.3:6379/0"},
		{"REDIS_URL", "rediss://default:s3cret@10.0.0.3:6378", "rediss://default:%3Credacted%3E@10.0.0.3:6378"},
		{"REDIS_URL", "redis://10.0.0.3:6379", "redis://10.0.0.3:6379"},
		{"SECRET_URL", "https://vault.example.com/v1/x", inventory.Redacted},
		{"EMPTY_SECRET", "", ""},
		// The allow-list: only shapes that cannot hold a secret survive, whatever the name.
		{"REDIS_PASS", "hunter2", inventory.Redacted},
		{"DB_PWD", "hunter2", inventory.Redacted},
		{"OPAQUE", "hunter2", inventory.Redacted},
		{"MY_SETTING", "p#w/x", inventory.Redacted},
		{"REDIS_CONN", "10.0.0.3:6379,password=hunter2", inventory.Redacted},
		{"DATABASE_DSN", "postgres://app:hunter2@db:5432/app", inventory.Redacted},
		{"MYSQL_DSN", "app:hunter2@tcp(10.0.0.5:3306)/db", inventory.Redacted},
		{"CONFIG_JSON", `{"password":"hunter2"}`, inventory.Redacted},
		{"SESSION_URL", "redis://hunter2@10.0.0.3:6379", "redis://%3Credacted%3E@10.0.0.3:6379"},
		{"CACHE_URL", "redis://10.0.0.3:6379/2?password=hunter2#x", "redis://10.0.0.3:6379/2"},
		{"CACHE_URL", "redis://10.0.0.3:6379/%2e%2e", "redis://10.0.0.3:6379"},
		{"CACHE_URL", "redis://evil$(id):6379", inventory.Redacted},
		{"REDIS_HOST", "redis.internal.example.com", "redis.internal.example.com"},
		{"REDIS_HOST", "10.0.0.3:6379", "10.0.0.3:6379"},
		{"REDIS_HOST", "[fd00::3]:6379", "[fd00::3]:6379"},
		{"REDIS_TLS", "true", "true"},
		{"PORT", "99999", inventory.Redacted},
	}
	for _, tt := range tests {
		if got := inventory.RedactEnvValue(tt.name, tt.value); got != tt.want {
			t.Errorf("RedactEnvValue(%q, %q) = %q, want %q", tt.name, tt.value, got, tt.want)
		}
	}
}
