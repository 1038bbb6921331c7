# Benchmarks: built with the tree, run by hand (bench/*.sh), figures in
# bench/README.md.
noinst_PROGRAMS += bench/hostcall
bench_hostcall_SOURCES = bench/hostcall.c
bench_hostcall_CFLAGS = $(libhingecore_la_CFLAGS)
bench_hostcall_LDADD = libhingecore.la
EXTRA_DIST += bench/core.sh bench/README.md bench/readme_section.py
noinst_PROGRAMS += bench/fleet_sim
bench_fleet_sim_SOURCES = bench/fleet_sim.c
bench_fleet_sim_CFLAGS = $(libhingecore_la_CFLAGS)
bench_fleet_sim_LDADD = libhingecore.la
EXTRA_DIST += bench/fleet.sh
