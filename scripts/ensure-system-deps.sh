#!/usr/bin/env bash
# Installs the Debian packages the integration and end-to-end tests need (real Dovecot,
# Postfix and Chromium on loopback). Idempotent: a fast no-op when everything is present.
set -euo pipefail

PACKAGES=(dovecot-core dovecot-imapd dovecot-lmtpd postfix chromium openssl)

missing=()
for pkg in "${PACKAGES[@]}"; do
  # dpkg-query is a single cheap lookup; "install ok installed" rules out removed-but-configured packages.
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  if [[ "$status" != "install ok installed" ]]; then
    missing+=("$pkg")
  fi
done

if ((${#missing[@]} > 0)); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "ensure-system-deps: missing Debian packages: ${missing[*]}" >&2
    echo "Install them as root: sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  # Without this preseed the postfix install asks questions and writes a system-wide main.cf;
  # the tests bring their own config and must not depend on (or alter) the machine's mail setup.
  echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
  echo "ensure-system-deps: installing ${missing[*]}" >&2
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The rig's config uses Dovecot 2.3 syntax; 2.4 renamed many settings and would fail obscurely.
version=$(dovecot --version 2>/dev/null || true)
if [[ "$version" != 2.3.* ]]; then
  echo "ensure-system-deps: Dovecot 2.3.x is required, found '${version:-none}'" >&2
  exit 1
fi
