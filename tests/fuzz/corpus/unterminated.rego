package p

x := {"a": "b"