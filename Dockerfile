# SPDX-License-Identifier: GPL-2.0
# The course image: Debian 12, the tree in /root/shmdemo, every package the
# targets need, and a warm cache, so that a student's first make run boots
# at once. A teacher builds it once, from the top of the tree:
#   docker build --network host -t shmdemo .
#   docker build --network host --build-arg KERNELS="6.1 latest" -t shmdemo .
# and students run it, with no option beyond these (no --privileged):
#   docker run --rm -it shmdemo make shell
#   docker run --rm shmdemo make run
#   docker run --rm -it -v "$PWD":/root/shmdemo shmdemo make shell
# The last one works in the student's own tree, mounted over the image's;
# the cache stays the image's. README.md, Containers, says more.
FROM debian:bookworm

# The flavours of tests/kernels whose kernel, build root and module the
# image carries; others are fetched on their first use.
ARG KERNELS=6.1

RUN apt-get update -q \
	&& apt-get install -y -q --no-install-recommends make \
	&& rm -rf /var/lib/apt/lists/*
WORKDIR /root/shmdemo
COPY . .
# make deps installs every target's packages (refreshing the lists it
# finds wanting); each make run fetches its kernel, makes its build root
# and proves the image in a guest. The lists go again, as Debian's images
# have none.
RUN make deps \
	&& rm -rf /var/lib/apt/lists/* \
	&& for kernel in $KERNELS; do make run KERNEL="$kernel" || exit 1; done
CMD ["make", "run"]
