package main_test

import data.main

placed(provider) := {"assignments": [{"workload": "web", "provider": provider}]}

test_allowed_provider_passes if {
	count(main.deny_provider) == 0 with input as {"manifest": {"spec": {"providers": {"allow": ["cloudflare"]}}}, "placement": placed("cloudflare")}
}

test_provider_outside_allow_list_denied if {
	count(main.deny_provider) == 1 with input as {"manifest": {"spec": {"providers": {"allow": ["cloudflare"]}}}, "placement": placed("fly")}
}

test_denied_provider_denied if {
	count(main.deny_provider) == 1 with input as {"manifest": {"spec": {"providers": {"deny": ["fly"]}}}, "placement": placed("fly")}
}

test_no_lists_allows_anything if {
	count(main.deny_provider) == 0 with input as {"manifest": {"spec": {}}, "placement": placed("fly")}
}
