# Budget: the plan's monthly overage cost stays within spec.budget.monthly_usd (0 by default: stay free).
package main

import data.lib

deny_budget contains msg if {
	cost := object.get(input, ["placement", "cost_usd"], 0)
	budget := object.get(input, ["manifest", "spec", "budget", "monthly_usd"], 0)
	cost > budget
	msg := {"msg": sprintf("the placement costs $%.2f/month, over the budget of $%.2f/month", [cost, budget]), "field": "spec"}
}

deny_budget contains msg if {
	some a in lib.assignments
	budget := object.get(input, ["manifest", "spec", "budget", "monthly_usd"], 0)
	budget == 0
	a.monthly_cost_usd > 0
	msg := {
		"msg": sprintf("workload %s on %s costs $%.2f/month on a $0 budget", [a.workload, a.offering, a.monthly_cost_usd]),
		"workload": a.workload,
	}
}
