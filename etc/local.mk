# Sample configuration, installed into $(sysconfdir)/latchkey.
latchkeyconfdir = $(sysconfdir)/latchkey
dist_latchkeyconf_DATA = etc/latchkey.conf
latchkeyappsdir = $(sysconfdir)/latchkey/apps.d
dist_latchkeyapps_DATA = etc/apps.d/example_none.conf \
	etc/apps.d/example_basic.conf etc/apps.d/example_apikey.conf \
	etc/apps.d/example_digest.conf etc/apps.d/example_oauth1.conf \
	etc/apps.d/example_oauth2.conf etc/apps.d/example_session.conf
