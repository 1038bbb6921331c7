# roi_lib.sh - what the roi plugin's shell tests share.  Source it after
# tap.sh, with $d a private folder holding the key file "key".
#
#   roi_double N BASE   start the Stripe double with N transactions from
#                       BASE, faults from $d/faults.json, requests logged
#                       to $d/req.log; sets dpid and port
#   roi_conf DB BASE    write $d/hinge.conf: state database DB, the roi
#                       plugin with the key, api_base BASE, eur at 1.08,
#                       and the settings given on stdin
#   jget FILE EXPR      print the Python expression EXPR of the JSON
#                       document in FILE, bound to d

roi_double() {
	python3 "$HINGE_SRCDIR/tests/doubles/roi_stripe.py" --port-file "$d/port" \
		--key-file "$d/key" --log "$d/req.log" --faults "$d/faults.json" \
		--generate "$1" --base "$2" &
	dpid=$!
	for _ in $(seq 100); do [ -s "$d/port" ] && break; sleep 0.05; done
	[ -s "$d/port" ] || bail "the Stripe double did not start"
	port=$(cat "$d/port")
}

jget() {
	python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}

roi_conf() {
	{
		cat <<CONF
agent: { state_db = "$1"; plugin_dir = "$HINGE_BUILDDIR/plugins/roi/.libs"; log_level = "info"; };
plugins: {
  roi: {
    enabled = true;
    secret_key = "$d/key";
    api_base = "$2";
    exchange_rates = { eur = "1.08"; };
CONF
		cat
		printf '  };\n};\n'
	} >"$d/hinge.conf"
}
