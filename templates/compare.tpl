{{%AUTOESCAPE context="HTML"}}
{{! compare.tpl - the comparison page, filled by html_compare() in}}
{{! src/html.c: the leaderboard under the fixed rule with the slices at}}
{{! each run's best checkpoint, the config diff against the baseline, the}}
{{! seed groups and the overlay of held-out curves. sort.js sorts the}}
{{! leaderboard by a column; the page is complete without it. PAGE frames}}
{{! a page of the site, ONE_FILE a section of the one-file report (see}}
{{! html.h).}}
{{#PAGE}}
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="reportgen{{#VERSION}} {{VERSION_TEXT:h}}{{/VERSION}}">
<title>Comparison - reportgen report</title>
<link rel="stylesheet" href="{{STYLE_HREF:U=html}}">
<script src="{{SORT_HREF:U=html}}" defer></script>
</head>
<body>
<nav class="breadcrumb" aria-label="Breadcrumb">
  <a href="{{INDEX_HREF:U=html}}">reportgen report</a>
  <span aria-hidden="true">/</span>
  <span class="here">Comparison</span>
</nav>
{{/PAGE}}
{{#ONE_FILE}}
<section class="folded" id="{{SECTION_ID:h}}">
{{/ONE_FILE}}
<header class="page-header">
{{#PAGE}}
  <h1>Comparison</h1>
{{/PAGE}}
{{#ONE_FILE}}
  <h2 class="page-title">Comparison</h2>
{{/ONE_FILE}}
{{#HEADLINE}}
  <p class="headline">{{HEADLINE_TEXT:h}}{{#KEPT}} <a href="{{KEPT_HREF:U=html}}">Open the kept run</a>{{/KEPT}}</p>
{{/HEADLINE}}
{{#EARLY_STOP_TOTAL}}
  <p class="early-stop-total">{{TEXT:h}}</p>
{{/EARLY_STOP_TOTAL}}
  <p class="rule">
    Best checkpoint: {{RULE_DIRECTION:h}} <code>{{RULE_METRIC:h}}</code>
    <span class="rule-raw">rule <code>{{RULE_RAW:h}}</code></span>
  </p>
  <p class="rule-desc">Rule: {{RULE_DESC:h}}.</p>
{{#HAS_BASELINE}}
  <p>Every run is judged at its best checkpoint against the baseline <strong>{{BASELINE_NAME:h}}</strong>.</p>
{{/HAS_BASELINE}}
{{#NO_BASELINE}}
  <p class="notice verdict-rule">{{VERDICT_RULE:h}}</p>
{{/NO_BASELINE}}
</header>
{{#PAGE}}
<main>
{{/PAGE}}
{{#SWEEP}}
<section class="sweep">
  <h2>Best <code>{{RULE_METRIC:h}}</code> by setting</h2>
  <p class="section-note">One chart per setting that varies across the runs; each point is a run at its best checkpoint, its name and values on hover.</p>
  <details class="fold-narrow">
  <summary>The {{N_CHARTS:h}} chart{{#PLURAL}}s{{/PLURAL}}, by {{KEYS:h}}</summary>
  <div class="chart-grid small-charts">
{{#SWEEP_CHART}}
    <figure class="chart">
{{#SVG}}
      {{SVG_TEXT:none}}
{{/SVG}}
{{#IMG}}
      <img src="{{FILE:U=html}}" alt="{{ALT:h}}">
{{/IMG}}
      <figcaption>{{CAPTION:h}}</figcaption>
    </figure>
{{/SWEEP_CHART}}
  </div>
  </details>
</section>
{{/SWEEP}}
{{#OVERLAY}}
<section class="overlay">
  <h2>Held-out curves</h2>
  <figure class="chart">
{{#SVG}}
    {{SVG_TEXT:none}}
{{/SVG}}
{{#IMG}}
    <img src="{{OVERLAY_FILE:U=html}}" alt="{{OVERLAY_ALT:h}}">
{{/IMG}}
  </figure>
</section>
{{/OVERLAY}}
<section class="leaderboard">
  <h2>Leaderboard</h2>
{{#BOARD_ABOVE}}
  <p class="section-note">This report lists the runs once, in leaderboard order, in the <a href="{{INDEX_HREF:U=html}}">table of analysed runs</a> at its top; each run's section says why its verdict. The site's comparison page repeats that table here, with a column per setting to sort by.</p>
{{/BOARD_ABOVE}}
{{#BOARD}}
  <div class="table-wrap">
  <table class="board cards sortable">
    <thead>
      <tr>
        <th scope="col" class="num">#</th>
        <th scope="col">Run</th>
        <th scope="col">Verdict</th>
        <th scope="col" class="num">Best <code>{{RULE_METRIC:h}}</code></th>
{{#BASELINE_COL}}
        <th scope="col" class="num">vs baseline</th>
{{/BASELINE_COL}}
{{#SLICE_HEAD}}
        <th scope="col" class="num"><code>{{SLICE:h}}</code><span class="sub">may drop {{MAX_DROP:h}}</span></th>
{{/SLICE_HEAD}}
{{#HP_HEAD}}
        <th scope="col" class="hp"><code>{{#PIECE}}{{TEXT:h}}<wbr>{{/PIECE}}</code></th>
{{/HP_HEAD}}
        <th scope="col">Why</th>
      </tr>
    </thead>
    <tbody>
{{#ROW}}
      <tr>
        <td class="num rank" data-label="#">{{RANK:h}}</td>
        <th scope="row" class="run-name">{{#LINK}}<a href="{{RUN_HREF:U=html}}">{{RUN_NAME:h}}</a>{{/LINK}}{{#NO_LINK}}{{RUN_NAME:h}}{{/NO_LINK}}{{#IS_BASELINE}} <span class="badge baseline">baseline</span>{{/IS_BASELINE}}{{#IS_KEPT}} <span class="badge kept">kept</span>{{/IS_KEPT}}</th>
        <td data-label="Verdict" data-sort="{{DECISION_RANK:h}}"><span class="badge decision decision-{{DECISION_NAME:h}}">{{DECISION_NAME:h}}</span></td>
        <td class="num" data-label="Best {{RULE_METRIC:h}}" data-sort="{{BEST_SORT:h}}">{{BEST_VALUE:h}}{{#AT}}<span class="sub">{{#OWN_METRIC}}{{METRIC:h}}, {{/OWN_METRIC}}at {{XNAME:h}} {{BEST_X:h}}</span>{{/AT}}</td>
{{#BASELINE_COL}}
        <td class="num" data-label="vs baseline">{{#DELTA}}{{DELTA_TEXT:h}}{{/DELTA}}</td>
{{/BASELINE_COL}}
{{#SLICE_CELL}}
        <td class="num {{CELL_CLASS:h}}" data-label="{{SLICE:h}}">{{VALUE:h}}</td>
{{/SLICE_CELL}}
{{#HP_CELL}}
        <td class="hp {{CELL_CLASS:h}}" data-label="{{KEY:h}}" data-sort="{{SORT_VALUE:h}}">{{#CUT}}<span title="{{FULL:h}}">{{SHORT:h}}&hellip;</span>{{/CUT}}{{#WHOLE}}{{TEXT:h}}{{/WHOLE}}</td>
{{/HP_CELL}}
        <td class="why" data-label="Why">{{#WHY}}{{#FOLD}}<details><summary>{{SHORT:h}}</summary><span class="rest">{{REST:h}}</span></details>{{/FOLD}}{{#PLAIN}}{{TEXT:h}}{{/PLAIN}}{{/WHY}}{{#NEXT}}<span class="next">Next: {{ACTION:h}}</span>{{/NEXT}}</td>
      </tr>
{{/ROW}}
    </tbody>
  </table>
  </div>
{{#HP_MORE}}
  <p class="section-note hp-more">{{N_MORE:h}} more {{VERB:h}} across the runs than the columns show: {{MORE_KEYS:h}}.</p>
{{/HP_MORE}}
{{/BOARD}}
</section>
{{#DIFF}}
<section class="config-diff">
  <h2>Config against the baseline</h2>
  <p class="muted">The settings each run changed from the baseline (the seed aside), with the baseline's value after the arrow.</p>
  <div class="table-wrap">
  <table class="diff cards">
    <thead>
      <tr><th scope="col">Run</th><th scope="col">Changed settings</th></tr>
    </thead>
    <tbody>
{{#DIFF_ROW}}
      <tr>
        <th scope="row" class="run-name">{{RUN_NAME:h}}{{#IS_BASELINE}} <span class="badge baseline">baseline</span>{{/IS_BASELINE}}{{#MANY}} <span class="warn" title="the effect cannot be attributed to one setting">{{N_CHANGED:h}} changes</span>{{/MANY}}</th>
        <td data-label="Changed settings">{{#NO_CHANGE}}<span class="muted">none</span>{{/NO_CHANGE}}{{#DIFF_CELL}}<span class="setting"><code>{{KEY:h}}={{VALUE:h}}</code>{{#WAS}} <span class="was">&larr; {{BASE_VALUE:h}}</span>{{/WAS}}</span> {{/DIFF_CELL}}</td>
      </tr>
{{/DIFF_ROW}}
    </tbody>
  </table>
  </div>
</section>
{{/DIFF}}
{{#GROUP}}
<section class="seed-group">
  <h2>Seed group {{GROUP_NAME:h}}</h2>
  <p>{{N:h}} runs that differ only in their seed: mean best <code>{{RULE_METRIC:h}}</code> {{MEAN:h}}, spread (standard deviation) {{SPREAD:h}}. The group is judged, not its luckiest seed.</p>
  <ul>
{{#MEMBER}}
    <li>{{MEMBER_NAME:h}}</li>
{{/MEMBER}}
  </ul>
</section>
{{/GROUP}}
{{#PAGE}}
</main>
<footer class="page-footer">
  Generated by reportgen{{#VERSION}} {{VERSION_TEXT:h}}{{/VERSION}}.
  <a href="{{INDEX_HREF:U=html}}">Back to all runs</a>
</footer>
</body>
</html>
{{/PAGE}}
{{#ONE_FILE}}
<p class="back"><a href="{{INDEX_HREF:U=html}}">Back to all runs</a></p>
</section>
{{/ONE_FILE}}
