# Shipped configuration, the systemd unit, manuals and completion.
dist_man_MANS = config/hinge.1
nodist_man_MANS = config/hinge.conf.5
EXTRA_DIST += config/hinge.conf.in config/hinge.service.in \
	config/hinge.conf.5.in config/hinge.bash-completion

# hinge.conf(5) comes from the settings tables (config/confdoc.c).
noinst_PROGRAMS += config/confdoc
config_confdoc_SOURCES = config/confdoc.c
config_confdoc_CFLAGS = $(libhingecore_la_CFLAGS)
config_confdoc_LDADD = libhingecore.la
# The built plugin objects, one per libtool module in pkglib_LTLIBRARIES.
built_plugin_objects = $(foreach l,$(pkglib_LTLIBRARIES),$(dir $(l)).libs/$(basename $(notdir $(l))).so)
config/hinge.conf.5: config/confdoc$(EXEEXT) $(srcdir)/config/hinge.conf.5.in $(pkglib_LTLIBRARIES)
	$(AM_V_GEN)$(MKDIR_P) config && \
	config/confdoc$(EXEEXT) $(srcdir)/config/hinge.conf.5.in $(built_plugin_objects) >$@.tmp && mv $@.tmp $@
CLEANFILES += config/hinge.conf.5 config/hinge.conf config/hinge.service

edit_paths = sed -e 's|@localstatedir[@]|$(localstatedir)|g' \
	-e 's|@pkglibdir[@]|$(pkglibdir)|g' -e 's|@bindir[@]|$(bindir)|g' \
	-e 's|@sysconfdir[@]|$(sysconfdir)|g'
config/hinge.conf: $(srcdir)/config/hinge.conf.in Makefile
	$(AM_V_GEN)$(MKDIR_P) config && $(edit_paths) $(srcdir)/config/hinge.conf.in >$@
config/hinge.service: $(srcdir)/config/hinge.service.in Makefile
	$(AM_V_GEN)$(MKDIR_P) config && $(edit_paths) $(srcdir)/config/hinge.service.in >$@
noinst_DATA += config/hinge.conf config/hinge.service

hingeconfdir = $(sysconfdir)/hinge
systemdunitdir = $(prefix)/lib/systemd/system
bashcompletiondir = $(datadir)/bash-completion/completions
install-data-local: config/hinge.conf config/hinge.service
	$(MKDIR_P) $(DESTDIR)$(hingeconfdir) $(DESTDIR)$(systemdunitdir) $(DESTDIR)$(bashcompletiondir) \
		$(DESTDIR)$(pkglibdir)
	test -f $(DESTDIR)$(hingeconfdir)/hinge.conf || \
		$(INSTALL_DATA) -m 0644 config/hinge.conf $(DESTDIR)$(hingeconfdir)/hinge.conf
	$(INSTALL_DATA) config/hinge.service $(DESTDIR)$(systemdunitdir)/hinge.service
	$(INSTALL_DATA) $(srcdir)/config/hinge.bash-completion $(DESTDIR)$(bashcompletiondir)/hinge
# The configuration goes only when it is still the shipped one.
uninstall-local:
	rm -f $(DESTDIR)$(systemdunitdir)/hinge.service $(DESTDIR)$(bashcompletiondir)/hinge
	if cmp -s config/hinge.conf $(DESTDIR)$(hingeconfdir)/hinge.conf; then \
		rm -f $(DESTDIR)$(hingeconfdir)/hinge.conf; \
	else \
		echo "left $(DESTDIR)$(hingeconfdir)/hinge.conf in place: it holds your edits"; \
	fi
