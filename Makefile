# SPDX-License-Identifier: GPL-2.0
#
# ipvs-zwin: build, install, lint and test.
#
#   make                 build ip_vs_zwin.ko for the running kernel
#   make KVER=<release>  ... for another installed kernel's headers
#   make KDIR=<dir>      ... for a kernel build tree
#   make install         install into /lib/modules/<release>/updates + depmod
#   make lint            checkpatch --strict and sparse (C=2)
#   make check           set up everything and run every test layer
#   make demo            boot a guest and show a service being protected

KVER ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KVER)/build
PWD := $(CURDIR)
ZWIN_CACHE ?= /var/cache/ipvs-zwin
export ZWIN_CACHE

all: module

module:
	$(MAKE) -C $(KDIR) M=$(PWD) modules

clean:
	$(MAKE) -C $(KDIR) M=$(PWD) clean

install: module
	$(MAKE) -C $(KDIR) M=$(PWD) INSTALL_MOD_DIR=updates modules_install
	depmod -a $(KVER)

sparse:
	$(MAKE) -C $(KDIR) M=$(PWD) C=2 CF="-D__CHECK_ENDIAN__" modules 2>&1 | \
		tee sparse.log; ! grep -E "warning|error" sparse.log

checkpatch:
	scripts/checkpatch.sh

lint: checkpatch sparse

check:
	scripts/check.sh

demo:
	scripts/demo.sh

.PHONY: all module clean install sparse checkpatch lint check demo
