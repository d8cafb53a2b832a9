set -eu
cd @WEBROOT@
cutoff=$(php -r 'echo date("Y-m-d", strtotime("-" . (int) getenv("MATOMO_DAYS_TO_KEEP") . " days"));')
range="1991-08-06,$cutoff"

delete() {
    php -d "memory_limit=${MATOMO_PHP_MEMORY_LIMIT}" console core:delete-logs-data --dates="$range" "$@" --no-interaction
}

if [ "${MATOMO_DELETE_SITES}" = all ]; then
    echo "delete-data: deleting the raw data of every site up to $cutoff (keeping ${MATOMO_DAYS_TO_KEEP} days)"
    delete
else
    # Each site on its own: a site that fails (deleted since, say) does not keep the others'
    # data; the Job still fails at the end, naming it.
    failed=""
    for site in ${MATOMO_DELETE_SITES}; do
        echo "delete-data: deleting the raw data of site $site up to $cutoff (keeping ${MATOMO_DAYS_TO_KEEP} days)"
        delete --idsite="$site" || failed="$failed $site"
    done
    if [ -n "$failed" ]; then
        echo "delete-data: FAILED for site(s)$failed (see above; a site that no longer exists must leave matomocronDeleteData.siteToDelete)" >&2
        exit 1
    fi
fi
echo "delete-data: done"
