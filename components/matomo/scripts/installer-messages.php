<?php
// php installer-messages.php PAGE: prints what a page of Matomo's installer says went wrong: the
// "Please fix the following errors" list of a rejected form (genericForm.twig) and the error boxes
// of a step (alert-danger, alert-warning, and the "error" boxes of older templates), as text.

$html = @file_get_contents($argv[1] ?? '');
if ($html === false || $html === '') {
    echo "  (no answer)\n";
    exit(0);
}
preg_match_all('#<div class="[^"]*\b(alert-danger|alert-warning|error)\b[^"]*"[^>]*>(.*?)</div>#s', $html, $boxes);
$lines = [];
foreach ($boxes[2] as $box) {
    $text = preg_replace(['#<(li|br)\b[^>]*>#i', '#</(li|ul|strong)>#i'], ["\n", "\n"], $box);
    foreach (explode("\n", html_entity_decode(strip_tags($text), ENT_QUOTES | ENT_HTML5)) as $line) {
        $line = trim(preg_replace('/\s+/', ' ', $line));
        if ($line !== '') {
            $lines[] = $line;
        }
    }
}
if ($lines === []) {
    $lines[] = substr(trim(preg_replace('/\s+/', ' ', html_entity_decode(strip_tags($html)))), 0, 300);
}
foreach (array_slice($lines, 0, 20) as $line) {
    echo "  $line\n";
}
