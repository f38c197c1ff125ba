{{%AUTOESCAPE context="HTML"}}
{{! index.tpl - the report's front page, filled by html_index() in src/html.c.}}
{{! The rule and the counts, then one table per run status; a table whose}}
{{! section is not shown is left out. Every variable carries its escaping}}
{{! modifier (:h for text, :U=html for a whole URL); AUTOESCAPE checks that}}
{{! each one is right for where it sits. PAGE frames a page of the site,}}
{{! ONE_FILE a section of the one-file report (see html.h); the links are set}}
{{! for the one or the other.}}
{{#PAGE}}
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="reportgen{{#VERSION}} {{VERSION_TEXT:h}}{{/VERSION}}">
<title>reportgen report</title>
<link rel="stylesheet" href="{{STYLE_HREF:U=html}}">
<script src="{{SORT_HREF:U=html}}" defer></script>
</head>
<body>
{{/PAGE}}
{{#ONE_FILE}}
<section class="folded" id="{{SECTION_ID:h}}">
{{/ONE_FILE}}
<header class="page-header">
  <h1>reportgen report</h1>
{{#HEADLINE}}
  <p class="headline">{{HEADLINE_TEXT:h}}{{#KEPT}} <a href="{{KEPT_HREF:U=html}}">Open the kept run</a>{{/KEPT}}</p>
{{/HEADLINE}}
{{#CHANGES}}
  <div class="changes">
{{#NO_LIST}}
    <p class="changes-summary">{{TEXT:h}}</p>
{{/NO_LIST}}
{{#LIST}}
    <details>
    <summary class="changes-summary">{{TEXT:h}}</summary>
    <ul>
{{#CHANGE}}
      <li>{{LINE:h}}</li>
{{/CHANGE}}
{{#MORE_CHANGES}}
      <li>and {{N_MORE:h}} more: see summary.json</li>
{{/MORE_CHANGES}}
    </ul>
    </details>
{{/LIST}}
  </div>
{{/CHANGES}}
{{#EARLY_STOP_TOTAL}}
  <p class="early-stop-total">{{TEXT:h}}</p>
{{#REPLAY_DEF}}
  <p class="muted">{{DEFINITION:h}}</p>
{{/REPLAY_DEF}}
{{/EARLY_STOP_TOTAL}}
  <p class="rule">
    Best checkpoint: {{RULE_DIRECTION:h}} <code>{{RULE_METRIC:h}}</code>
    <span class="rule-raw">rule <code>{{RULE_RAW:h}}</code></span>
  </p>
  <p class="rule-desc">Rule: {{RULE_DESC:h}}. <a href="{{COMPARE_HREF:U=html}}">Comparison</a></p>
{{#VERDICT_RULE}}
  <p class="verdict-rule">{{TEXT:h}}</p>
{{/VERDICT_RULE}}
{{#COMMON_NOTE}}
  <p class="muted" id="{{NOTE_ID:h}}">The note of {{N:h}} runs' decision records, said here once: {{TEXT:h}}</p>
{{/COMMON_NOTE}}
  <p class="counts">
    <strong>{{N_RUNS:h}} {{RUNS_NOUN:h}}</strong>:
    <span class="count count-ok">{{N_OK:h}} analysed</span>,
    <span class="count count-nc">{{N_NOT_COMPARABLE:h}} not comparable</span>,
    <span class="count count-skipped">{{N_SKIPPED:h}} skipped</span>
  </p>
</header>
{{#PAGE}}
<main>
{{/PAGE}}
<section class="runs-ok">
  <h2>Analysed runs</h2>
{{#OK_TABLE}}
  <div class="table-wrap">
  <table class="runs cards sortable">
    <thead>
      <tr>
        <th scope="col">Run</th>
        <th scope="col">Decision</th>
        <th scope="col">Best at</th>
        <th scope="col" class="num">Best <code>{{RULE_METRIC:h}}</code></th>
        <th scope="col" class="num">Last <code>{{RULE_METRIC:h}}</code></th>
{{#BASELINE_COL}}
        <th scope="col" class="num">vs baseline</th>
{{/BASELINE_COL}}
        <th scope="col">Diagnosis</th>
        <th scope="col">Next action</th>
      </tr>
    </thead>
    <tbody>
{{#OK_RUN}}
      <tr>
        <th scope="row" class="run-name" data-sort="{{RUN_NAME:h}}">
          <a href="{{RUN_HREF:U=html}}">{{RUN_NAME:h}}</a>{{#IS_KEPT}} <span class="badge kept">kept</span>{{/IS_KEPT}}
{{#HP_LIST}}
          <span class="hp-list">{{#HP_ITEM}}<span class="setting"><code>{{KEY:h}}=<wbr>{{#CUT}}<span title="{{FULL:h}}">{{SHORT:h}}&hellip;</span>{{/CUT}}{{#WHOLE}}{{TEXT:h}}{{/WHOLE}}</code></span> {{/HP_ITEM}}</span>
{{/HP_LIST}}
        </th>
        <td data-label="Decision" data-sort="{{DECISION_RANK:h}}">
{{#DECISION}}
          <span class="badge decision decision-{{DECISION_NAME:h}}">{{DECISION_NAME:h}}</span>
{{/DECISION}}
        </td>
{{#HAS_BEST}}
        <td class="nowrap" data-label="Best at" data-sort="{{BEST_X:h}}">{{XNAME:h}} {{BEST_X:h}}</td>
        <td class="num" data-label="Best {{RULE_METRIC:h}}">{{BEST_VALUE:h}}</td>
        <td class="num last" data-label="Last {{RULE_METRIC:h}}" data-sort="{{LAST_SORT:h}}">
          {{LAST_VALUE:h}}
{{#AFTER_BEST}}
          <span class="sub">at {{XNAME:h}} {{LAST_X:h}}, {{AFTER:h}} after the best</span>
{{/AFTER_BEST}}
{{#LAST_IS_BEST}}
          <span class="sub">ended on its best</span>
{{/LAST_IS_BEST}}
        </td>
{{/HAS_BEST}}
{{#NO_BEST}}
        <td class="muted">no finite <code>{{RULE_METRIC:h}}</code> value</td><td></td><td></td>
{{/NO_BEST}}
{{#BASELINE_COL}}
        <td class="num" data-label="vs baseline" data-sort="{{DELTA_SORT:h}}">{{#IS_BASELINE}}<span class="badge baseline">baseline</span>{{/IS_BASELINE}}{{#DELTA}}{{DELTA_TEXT:h}}{{/DELTA}}</td>
{{/BASELINE_COL}}
        <td class="nowrap" data-label="Diagnosis">
{{#MAIN_FINDING}}
          <span class="badge diag diag-{{CODE:h}}">{{CODE:h}}</span>
{{#BORDERLINE}}
          <span class="borderline" title="the call passed its closest threshold by a small margin">borderline</span>
{{/BORDERLINE}}
{{#MORE_FINDINGS}}
          <span class="more" title="more findings on the run page">+{{N_MORE:h}}</span>
{{/MORE_FINDINGS}}
{{/MAIN_FINDING}}
{{#NO_FINDING}}
          <span class="muted">none</span>
{{/NO_FINDING}}
        </td>
        <td class="action" data-label="Next action">{{#ACTION}}{{#FOLD}}<details><summary>{{SHORT:h}}</summary><span class="rest">{{REST:h}}</span></details>{{/FOLD}}{{#PLAIN}}{{TEXT:h}}{{/PLAIN}}{{/ACTION}}</td>
      </tr>
{{/OK_RUN}}
    </tbody>
  </table>
  </div>
{{#HP_MORE}}
  <p class="section-note hp-more">{{N_MORE:h}} more {{VERB:h}} across the runs than the columns show: {{MORE_KEYS:h}}.</p>
{{/HP_MORE}}
{{/OK_TABLE}}
{{#NO_OK_RUNS}}
  <p class="empty">No run could be analysed under this rule.</p>
{{/NO_OK_RUNS}}
</section>
{{#NC_TABLE}}
<section class="runs-nc">
  <h2>Not comparable</h2>
  <p class="section-note">
    These runs were read but have no finite <code>{{RULE_METRIC:h}}</code>,
    so the rule cannot rank them.
  </p>
  <div class="table-wrap">
  <table class="reasons cards">
    <thead>
      <tr><th scope="col">Run</th><th scope="col">Decision</th><th scope="col">Reason</th><th scope="col">Next action</th></tr>
    </thead>
    <tbody>
{{#NC_RUN}}
      <tr>
        <th scope="row" class="run-name">
          <a href="{{RUN_HREF:U=html}}">{{RUN_NAME:h}}</a>
        </th>
        <td data-label="Decision">
{{#DECISION}}
          <span class="badge decision decision-{{DECISION_NAME:h}}">{{DECISION_NAME:h}}</span>
{{/DECISION}}
        </td>
        <td data-label="Reason">{{#REASON}}{{#FOLD}}<details><summary>{{SHORT:h}}</summary><span class="rest">{{REST:h}}</span></details>{{/FOLD}}{{#PLAIN}}{{TEXT:h}}{{/PLAIN}}{{/REASON}}</td>
        <td class="action" data-label="Next action">{{#ACTION}}{{#FOLD}}<details><summary>{{SHORT:h}}</summary><span class="rest">{{REST:h}}</span></details>{{/FOLD}}{{#PLAIN}}{{TEXT:h}}{{/PLAIN}}{{/ACTION}}</td>
      </tr>
{{/NC_RUN}}
    </tbody>
  </table>
  </div>
</section>
{{/NC_TABLE}}
{{#SKIPPED_TABLE}}
<section class="runs-skipped">
  <h2>Skipped</h2>
  <p class="section-note">These runs could not be read and have no page.</p>
  <div class="table-wrap">
  <table class="reasons cards">
    <thead>
      <tr><th scope="col">Run</th><th scope="col">Reason</th></tr>
    </thead>
    <tbody>
{{#SKIPPED_RUN}}
      <tr>
        <th scope="row" class="run-name">{{RUN_NAME:h}}</th>
        <td data-label="Reason">{{#REASON}}{{#FOLD}}<details><summary>{{SHORT:h}}</summary><span class="rest">{{REST:h}}</span></details>{{/FOLD}}{{#PLAIN}}{{TEXT:h}}{{/PLAIN}}{{/REASON}}</td>
      </tr>
{{/SKIPPED_RUN}}
    </tbody>
  </table>
  </div>
</section>
{{/SKIPPED_TABLE}}
{{#PAGE}}
</main>
<footer class="page-footer">
  Generated by reportgen{{#VERSION}} {{VERSION_TEXT:h}}{{/VERSION}}.
</footer>
</body>
</html>
{{/PAGE}}
{{#ONE_FILE}}
</section>
{{/ONE_FILE}}
