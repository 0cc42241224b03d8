# Provider allow-list: placements use only providers the stack allows (spec.providers.allow, when set) and
# none it denies; an organisation-wide list may also come from data (data.policy.providers.allow).
package main

import data.lib

stack_allow := object.get(input, ["manifest", "spec", "providers", "allow"], [])

stack_deny := object.get(input, ["manifest", "spec", "providers", "deny"], [])

default org_allow := []

org_allow := data.policy.providers.allow

deny_provider contains msg if {
	some a in lib.assignments
	count(stack_allow) > 0
	not a.provider in stack_allow
	msg := {"msg": sprintf("workload %s uses provider %s, not in the stack's allow-list %v", [a.workload, a.provider, stack_allow]), "workload": a.workload}
}

deny_provider contains msg if {
	some a in lib.assignments
	a.provider in stack_deny
	msg := {"msg": sprintf("workload %s uses provider %s, which the stack denies", [a.workload, a.provider]), "workload": a.workload}
}

deny_provider contains msg if {
	some a in lib.assignments
	count(org_allow) > 0
	not a.provider in org_allow
	msg := {"msg": sprintf("workload %s uses provider %s, not in the organisation's allow-list", [a.workload, a.provider]), "workload": a.workload}
}
