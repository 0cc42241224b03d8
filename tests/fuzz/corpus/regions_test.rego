package main_test

import data.main

stack := {"spec": {"regions": ["eu"], "workloads": [{"name": "db", "kind": "database"}, {"name": "web", "kind": "compute", "regions": ["us"]}]}}

test_region_inside_passes if {
	count(main.deny_region) == 0 with input as {"manifest": stack, "placement": {"assignments": [{"workload": "db", "region": "eu-central"}, {"workload": "web", "region": "us-east"}]}}
}

test_region_outside_denied if {
	some d in main.deny_region with input as {"manifest": stack, "placement": {"assignments": [{"workload": "db", "region": "us-east"}]}}
	d.workload == "db"
}

test_workload_regions_override_stack if {
	count(main.deny_region) == 1 with input as {"manifest": stack, "placement": {"assignments": [{"workload": "web", "region": "eu-west"}]}}
}

test_global_database_warns if {
	count(main.warn_region) == 1 with input as {"manifest": stack, "placement": {"assignments": [{"workload": "db", "region": "global", "offering": "x/db"}]}}
}
