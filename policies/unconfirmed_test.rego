package main_test

import data.main

placement := {"assignments": [{"workload": "llm", "offering": "x/model"}]}

test_unconfirmed_in_production_denied if {
	count(main.deny_unconfirmed) == 1 with input as {"manifest": {"metadata": {"environment": "production"}}, "placement": placement, "catalog": {"x/model": {"confidence": "unconfirmed"}}}
}

test_confirmed_in_production_passes if {
	count(main.deny_unconfirmed) == 0 with input as {"manifest": {"metadata": {"environment": "production"}}, "placement": placement, "catalog": {"x/model": {"confidence": "confirmed"}}}
}

test_unconfirmed_outside_production_passes if {
	count(main.deny_unconfirmed) == 0 with input as {"manifest": {"metadata": {"labels": {"environment": "dev"}}, "spec": {}}, "placement": placement, "catalog": {"x/model": {"confidence": "unconfirmed"}}}
}

test_production_label_denied if {
	count(main.deny_unconfirmed) == 1 with input as {"manifest": {"metadata": {"labels": {"environment": "production"}}}, "placement": placement, "catalog": {"x/model": {"confidence": "unconfirmed"}}}
}
