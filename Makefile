# SPDX-License-Identifier: GPL-2.0
#
# ipvs-zwin: build, install, lint and test.
#
#   make                 build ip_vs_zwin.ko for the running kernel, and the
#                        optional XDP program xdp/zwin_xdp.bpf.o (skipped
#                        with a message without clang)
#   make xdp             ... only the XDP program (XDP_OUT=<file> elsewhere)
#   make KVER=<release>  ... for another installed kernel's headers
#   make KDIR=<dir>      ... for a kernel build tree
#   make install         install into /lib/modules/<release>/updates + depmod
#   make dkms-install    register with DKMS and install for the running kernel
#                        (rebuilt on kernel upgrades); make dkms-remove undoes it
#   make docs            render Documentation/*.rst, docutils warnings fatal
#                        (HTML kept in DOCS_OUT=<dir> if given)
#   make lint            checkpatch --strict and sparse (C=2)
#   make check           set up everything and run every test layer
#   make demo            boot a guest and show a service being protected
#   make bench           boot a guest, measure against SYNPROXY and plain
#                        IPVS, print ratios (ZWIN_BENCH_ROUNDS, _QUICK=1)

KVER ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KVER)/build
PWD := $(CURDIR)
ZWIN_CACHE ?= /var/cache/ipvs-zwin
export ZWIN_CACHE

# DKMS: sources go to $(DKMS_SRC)/ipvs-zwin-<version>. scripts/dkms-check.sh
# overrides DKMS and DKMS_SRC to run these targets in a private tree.
PKG_VERSION := $(shell sed -n 's/^\#define ZWIN_VERSION[[:space:]]*"\(.*\)"/\1/p' $(CURDIR)/include/zwin.h)
DKMS ?= dkms
DKMS_SRC ?= /usr/src
DKMS_DIR := $(DKMS_SRC)/ipvs-zwin-$(PKG_VERSION)

all: module xdp

module:
	$(MAKE) -C $(KDIR) M=$(PWD) modules

# The XDP front end (scripts/zwin-xdp): Debian's clang and libbpf headers.
CLANG ?= clang
XDP_SRC ?= $(CURDIR)/xdp/zwin_xdp.bpf.c
XDP_OUT ?= $(CURDIR)/xdp/zwin_xdp.bpf.o
XDP_ARCH_INC := /usr/include/$(shell gcc -dumpmachine 2>/dev/null)
xdp:
	@if ! command -v $(CLANG) > /dev/null; then \
		echo "no $(CLANG): the optional XDP program is not built"; \
	elif [ ! -f /usr/include/bpf/bpf_helpers.h ]; then \
		echo "no libbpf headers (libbpf-dev): the XDP program is not built"; \
	else \
		echo "  CLANG   $(XDP_OUT)"; \
		$(CLANG) -O2 -g -Wall -Werror -target bpf -I$(XDP_ARCH_INC) \
			-I$(CURDIR)/xdp -c $(XDP_SRC) \
			-o $(XDP_OUT); \
	fi

clean:
	$(MAKE) -C $(KDIR) M=$(PWD) clean
	rm -f xdp/zwin_xdp.bpf.o

# The release of the tree built against (KDIR may be another kernel's):
# its UTS_RELEASE, which is what uname -r and /lib/modules use.
KREL = $(shell sed -n 's/^\#define UTS_RELEASE "\(.*\)"/\1/p' \
	$(KDIR)/include/generated/utsrelease.h 2>/dev/null || echo $(KVER))

install: module
	$(MAKE) -C $(KDIR) M=$(PWD) INSTALL_MOD_DIR=updates modules_install
	depmod -a $(KREL)

# Only the sources DKMS builds from, never objects of an in-tree build.
dkms-source:
	rm -rf $(DKMS_DIR)
	mkdir -p $(DKMS_DIR)/ipvs_zwin $(DKMS_DIR)/include
	cp Kbuild Makefile dkms.conf README $(DKMS_DIR)/
	cp ipvs_zwin/*.c $(DKMS_DIR)/ipvs_zwin/
	cp include/*.h $(DKMS_DIR)/include/

# Installs into the system: run by operators, never by the tests.
dkms-install:
	if $(DKMS) status ipvs-zwin/$(PKG_VERSION) | grep -q .; then \
		$(DKMS) remove ipvs-zwin/$(PKG_VERSION) --all; fi
	$(MAKE) dkms-source
	$(DKMS) add ipvs-zwin/$(PKG_VERSION)
	$(DKMS) build ipvs-zwin/$(PKG_VERSION) -k $(KVER)
	$(DKMS) install ipvs-zwin/$(PKG_VERSION) -k $(KVER)

dkms-remove:
	if $(DKMS) status ipvs-zwin/$(PKG_VERSION) | grep -q .; then \
		$(DKMS) remove ipvs-zwin/$(PKG_VERSION) --all; fi
	rm -rf $(DKMS_DIR)

docs:
	scripts/docs.sh $(DOCS_OUT)

# fails if the build fails (no headers for KVER: make KVER=<release>) or
# sparse or the compiler says anything
sparse:
	$(MAKE) -C $(KDIR) M=$(PWD) C=2 CF="-D__CHECK_ENDIAN__" modules \
		> sparse.log 2>&1; rc=$$?; cat sparse.log; \
		[ $$rc -eq 0 ] && ! grep -E "warning|error" sparse.log

checkpatch:
	scripts/checkpatch.sh

lint: checkpatch sparse

check:
	scripts/check.sh

demo:
	scripts/demo.sh

bench:
	scripts/bench.sh

.PHONY: all module xdp clean install dkms-source dkms-install dkms-remove docs \
	sparse checkpatch lint check demo bench
