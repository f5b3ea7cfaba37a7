#!/bin/sh
# Install the Debian 12 packages the Nova/Keystone test peers need.
# Idempotent: does nothing (and needs no network) when everything is there.
#
#   python3-nova            Nova 26 (Zed) with nova/tests/ (functional fixtures)
#   python3-placement       Placement and its functional fixtures
#   python3-oslotest        base test classes used by nova's tests
#   python3-wsgi-intercept  used by the placement fixture
#   python3-keystone        Keystone 22 (Zed); pulls python3-openstackclient,
#                           i.e. the `openstack` CLI (benchmark baseline)
#   python3-keystonemiddleware  authtoken filter for Nova's `keystone` pipeline
#   python3-openstackclient the `openstack` CLI (explicit, in case it is not pulled)
#   python3-novaclient      `openstack server migrate --live-migration` etc. need it
#   sqlite3                 only for debugging the Keystone state database
set -eu

PKGS="python3-nova python3-placement python3-oslotest python3-wsgi-intercept \
python3-keystone python3-keystonemiddleware python3-openstackclient \
python3-novaclient sqlite3"

missing=""
for p in $PKGS; do
    if ! dpkg -s "$p" 2>/dev/null | grep -q '^Status: install ok installed'; then
        missing="$missing $p"
    fi
done

if [ -z "$missing" ]; then
    echo "deps.sh: all packages present"
    exit 0
fi

echo "deps.sh: installing:$missing"
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
# shellcheck disable=SC2086
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing
echo "deps.sh: done"
