package firewall

import "testing"

func TestDescribe(t *testing.T) {
	tests := []struct {
		rule string
		want string
	}{
		{
			rule: `{"name":"deny-all-egress","direction":"EGRESS","priority":900,"denied":[{"IPProtocol":"tcp"}]}`,
			want: "deny-all-egress (priority 900, deny tcp:all to 0.0.0.0/0)",
		},
		{
			rule: `{"name":"allow-redis","sourceRanges":["10.8.0.0/28"],"targetTags":["redis-proxy"],"allowed":[{"IPProtocol":"tcp","ports":["6379"]}]}`,
			want: "allow-redis (priority 1000, allow tcp:6379 from 10.8.0.0/28, targets tag:redis-proxy)",
		},
		{
			rule: `{"name":"default-allow-internal","priority":65534,"sourceRanges":["10.128.0.0/9"],"allowed":[{"IPProtocol":"tcp","ports":["0-65535"]},{"IPProtocol":"udp","ports":["0-65535"]},{"IPProtocol":"icmp"}]}`,
			want: "default-allow-internal (priority 65534, allow tcp:0-65535,udp:0-65535,icmp from 10.128.0.0/9)",
		},
		{
			rule: `{"name":"from-connector","sourceTags":["vpc-connector"],"sourceRanges":["10.8.0.0/28"],"destinationRanges":["10.0.0.0/29"],"allowed":[{"IPProtocol":"all"}],"disabled":true}`,
			want: "from-connector (priority 1000, allow all from 10.8.0.0/28,tag:vpc-connector to 10.0.0.0/29, disabled)",
		},
		{
			rule: `{"name":"sa-only","direction":"EGRESS","priority":0,"sourceRanges":["10.8.0.0/28"],"destinationRanges":["10.0.0.0/29","10.0.1.0/29"],"targetServiceAccounts":["app@p.iam.gserviceaccount.com"],"denied":[{"IPProtocol":"6","ports":["6379","6380"]},{"IPProtocol":"udp"}]}`,
			want: "sa-only (priority 0, deny 6:6379,6:6380,udp:all from 10.8.0.0/28 to 10.0.0.0/29,10.0.1.0/29, targets sa:app@p.iam.gserviceaccount.com)",
		},
		{
			rule: `{"name":"many","sourceRanges":["10.0.0.0/8","10.1.0.0/16","10.2.0.0/16","10.3.0.0/16","10.4.0.0/16","10.5.0.0/16","10.6.0.0/16"],"allowed":[{"IPProtocol":"icmp"}]}`,
			want: "many (priority 1000, allow icmp from 10.0.0.0/8,10.1.0.0/16,10.2.0.0/16,10.3.0.0/16,10.4.0.0/16 and 2 more)",
		},
		{
			rule: `{"priority":5}`,
			want: "(unnamed) (priority 5, allow nothing from 0.0.0.0/0)",
		},
	}
	for _, tt := range tests {
		rule := loadRules(t, "["+tt.rule+"]")[0]
		if got := Describe(rule); got != tt.want {
			t.Errorf("Describe(%s)\n got  %s\n want %s", tt.rule, got, tt.want)
		}
	}
	if got := Describe(nil); got != "(no rule)" {
		t.Errorf("Describe(nil) = %q", got)
	}
}

func TestVerdictString(t *testing.T) {
	vm, redis, _ := hosts()
	rules := loadRules(t, `[
		{"name":"deny-all-egress","direction":"EGRESS","priority":900,"denied":[{"IPProtocol":"tcp"}]},
		{"name":"allow-internal","sourceRanges":["10.128.0.0/9"],"allowed":[{"IPProtocol":"tcp","ports":["6379"]}]}
	]`)
	rs, err := NewRuleSet(rules)
	if err != nil {
		t.Fatal(err)
	}
	p := tcp(vm, redis, 6379)
	tests := []struct {
		verdict Verdict
		want    string
	}{
		{rs.Egress(p), "blocked by deny-all-egress (priority 900, deny tcp:all to 0.0.0.0/0)"},
		{rs.Ingress(p), "allowed by allow-internal (priority 1000, allow tcp:6379 from 10.128.0.0/9)"},
		{rs.Ingress(tcp(redis, vm, 6379)), "blocked by the implied deny ingress rule (priority 65535): no ingress rule allows it"},
		{(&RuleSet{}).Egress(p), "allowed by the implied allow egress rule (priority 65535): no egress rule matched"},
	}
	for _, tt := range tests {
		if got := tt.verdict.String(); got != tt.want {
			t.Errorf("got  %s\nwant %s", got, tt.want)
		}
	}
}
