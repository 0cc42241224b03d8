package main_test

import data.main

web := {"name": "web", "kind": "compute", "critical": true, "replicas": 2, "spread": true}

test_spread_across_providers_passes if {
	count(main.deny_spread) == 0 with input as {"manifest": {"spec": {"workloads": [web]}}, "placement": {"assignments": [{"workload": "web", "provider": "a"}, {"workload": "web", "provider": "b"}]}}
}

test_one_provider_denied if {
	count(main.deny_spread) == 1 with input as {"manifest": {"spec": {"workloads": [web]}}, "placement": {"assignments": [{"workload": "web", "provider": "a"}, {"workload": "web", "provider": "a"}]}}
}

test_missing_spread_flag_denied if {
	count(main.deny_spread) == 1 with input as {"manifest": {"spec": {"workloads": [{"name": "web", "critical": true, "replicas": 3}]}}}
}

test_non_critical_ignored if {
	count(main.deny_spread) == 0 with input as {"manifest": {"spec": {"workloads": [{"name": "web", "replicas": 3}]}}}
}
