package main_test

import data.main

free_plan := {"manifest": {"spec": {"budget": {"monthly_usd": 0}}}, "placement": {"cost_usd": 0, "assignments": [{"workload": "web", "offering": "cloudflare/workers", "monthly_cost_usd": 0}]}}

test_free_plan_passes if {
	count(main.deny_budget) == 0 with input as free_plan
}

test_cost_over_budget_denied if {
	count(main.deny_budget) > 0 with input as {"manifest": {"spec": {"budget": {"monthly_usd": 5}}}, "placement": {"cost_usd": 7.5, "assignments": []}}
}

test_paid_assignment_on_zero_budget_denied if {
	some d in main.deny_budget with input as {"manifest": {"spec": {}}, "placement": {"cost_usd": 0, "assignments": [{"workload": "db", "offering": "x/pg", "monthly_cost_usd": 2}]}}
	d.workload == "db"
}
