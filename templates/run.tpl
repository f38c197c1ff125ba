{{%AUTOESCAPE context="HTML"}}
{{! run.tpl - the page of one run, filled by html_run() in src/html.c.}}
{{! It sits at runs/<slug>/index.html (runs.h): the links to the index,}}
{{! the comparison and the stylesheet are set for it, and the charts sit}}
{{! beside it. Every variable carries its escaping modifier (:h for text,}}
{{! :U=html for a whole URL); AUTOESCAPE checks that each one is right for}}
{{! where it sits. PAGE frames a page of the site, ONE_FILE a section of the}}
{{! one-file report (see html.h).}}
{{#PAGE}}
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="reportgen{{#VERSION}} {{VERSION_TEXT:h}}{{/VERSION}}">
<title>{{RUN_NAME:h}} - reportgen report</title>
<link rel="stylesheet" href="{{STYLE_HREF:U=html}}">
</head>
<body>
<nav class="breadcrumb" aria-label="Breadcrumb">
  <a href="{{INDEX_HREF:U=html}}">reportgen report</a>
  <span aria-hidden="true">/</span>
  <span class="here">{{RUN_NAME:h}}</span>
</nav>
{{/PAGE}}
{{#ONE_FILE}}
<section class="folded" id="{{SECTION_ID:h}}">
{{/ONE_FILE}}
<header class="page-header">
{{#PAGE}}
  <h1>{{RUN_NAME:h}}</h1>
{{/PAGE}}
{{#ONE_FILE}}
  <h2 class="page-title">{{RUN_NAME:h}}</h2>
{{/ONE_FILE}}
{{#RUN_RULE}}
  <p class="rule">
    Best checkpoint: {{RULE_DIRECTION:h}} <code>{{RULE_METRIC:h}}</code>
    <span class="rule-raw">rule <code>{{RULE_RAW:h}}</code></span>
  </p>
{{/RUN_RULE}}
{{#PAGE}}
  <p class="rule-desc">Rule: {{RULE_DESC:h}}. <a href="{{COMPARE_HREF:U=html}}">Comparison</a></p>
{{/PAGE}}
</header>
{{#PAGE}}
<main>
{{/PAGE}}
{{#NOT_COMPARABLE}}
<p class="notice"><strong>Not comparable:</strong> {{REASON:h}}</p>
{{/NOT_COMPARABLE}}
<div class="summary">
<section class="card best">
  <h2>Best checkpoint</h2>
{{#BEST}}
  <dl class="facts">
    <dt>Best {{XNAME:h}}</dt>
    <dd>{{BEST_X:h}}</dd>
    <dt>Best <code>{{RULE_METRIC:h}}</code></dt>
    <dd>{{BEST_VALUE:h}}</dd>
    <dt>Last {{XNAME:h}}</dt>
    <dd>{{LAST_X:h}}</dd>
    <dt>Last <code>{{RULE_METRIC:h}}</code></dt>
    <dd>{{LAST_VALUE:h}}</dd>
  </dl>
{{#AFTER_BEST}}
  <p class="best-distance">The last {{XNAME:h}} is {{AFTER:h}} after the best.</p>
{{/AFTER_BEST}}
{{#LAST_IS_BEST}}
  <p class="best-distance">The best is the last {{XNAME:h}}.</p>
{{/LAST_IS_BEST}}
{{/BEST}}
{{#NO_BEST}}
  <p class="muted">no finite <code>{{RULE_METRIC:h}}</code> value: not comparable</p>
{{/NO_BEST}}
</section>
{{#DIAGNOSIS}}
<section class="card record record-{{DECISION_NAME:h}}">
  <h2>
    Decision
    <span class="badge decision decision-{{DECISION_NAME:h}}">{{DECISION_NAME:h}}</span>
  </h2>
  <dl class="record-list">
{{#VERDICT}}
    <dt>Verdict</dt>
    <dd>{{VERDICT_WHY:h}}</dd>
{{/VERDICT}}
{{#SYMPTOM}}
    <dt>Symptom</dt>
    <dd>{{TEXT:h}}</dd>
{{/SYMPTOM}}
    <dt>Findings</dt>
    <dd>
      <ol class="findings">
{{#FINDING}}
        <li>
          <span class="badge diag diag-{{CODE:h}}">{{CODE:h}}</span>
{{#MAIN}}
          <span class="main-tag">main</span>
{{/MAIN}}
          <span class="evidence">{{EVIDENCE:h}}</span>
{{#BORDERLINE}}
          <span class="borderline">Borderline: its closest test, {{THRESHOLD:h}}, passed by {{PCT:h}}% of its threshold.</span>
{{/BORDERLINE}}
        </li>
{{/FINDING}}
      </ol>
    </dd>
{{#FIRST_CHECK}}
    <dt>First check</dt>
    <dd>{{TEXT:h}}</dd>
{{/FIRST_CHECK}}
{{#ACTION}}
    <dt>Next change</dt>
    <dd class="action">{{TEXT:h}}</dd>
{{/ACTION}}
{{#SUCCESS}}
    <dt>Success rule</dt>
    <dd>{{TEXT:h}}</dd>
{{/SUCCESS}}
{{#DIAG_NOTE}}
    <dt>Note</dt>
    <dd class="muted">{{TEXT:h}}</dd>
{{/DIAG_NOTE}}
{{#COMMON_NOTE}}
    <dt>Note</dt>
    <dd class="muted">the same as most runs', <a href="{{NOTE_HREF:U=html}}">given once at the top</a></dd>
{{/COMMON_NOTE}}
  </dl>
</section>
{{/DIAGNOSIS}}
{{#NO_DIAGNOSIS}}
<section class="card record">
  <h2>Decision</h2>
  <p class="muted">No diagnosis was made for this run.</p>
</section>
{{/NO_DIAGNOSIS}}
</div>
{{#EARLY_STOP}}
<section class="early-stop">
  <h2>Early stopping on <code>{{METRIC:h}}</code></h2>
  <ul>
{{#STOP}}
    <li>{{TEXT:h}}</li>
{{/STOP}}
  </ul>
{{#REPLAY_DEF}}
  <p class="muted">{{DEFINITION:h}}</p>
{{/REPLAY_DEF}}
</section>
{{/EARLY_STOP}}
{{#VS_BASELINE}}
<section class="vs-baseline">
  <h2>Against the baseline</h2>
{{#THIS_IS_BASELINE}}
  <p>This run is the baseline every other run is judged against.</p>
{{/THIS_IS_BASELINE}}
  <dl class="facts">
    <dt>Baseline</dt>
    <dd><a href="{{BASELINE_HREF:U=html}}">{{BASELINE_NAME:h}}</a></dd>
{{#DELTA}}
    <dt>Best <code>{{RULE_METRIC:h}}</code> minus the baseline's</dt>
    <dd>{{DELTA_TEXT:h}}</dd>
{{/DELTA}}
{{#GROUP}}
    <dt>Seed group</dt>
    <dd>{{GROUP_NAME:h}} (judged as a group: see the comparison)</dd>
{{/GROUP}}
  </dl>
{{#NO_CHANGE}}
  <p class="muted">Its config differs from the baseline's in no setting but the seed.</p>
{{/NO_CHANGE}}
{{#NOT_COMPARED}}
  <p class="muted">Settings not compared: {{WHOSE:h}} has no config.</p>
{{/NOT_COMPARED}}
{{#CHANGED}}
  <p>Settings changed from the baseline:
{{#KEY}}
    <code>{{KEY_NAME:h}}</code>
{{/KEY}}
  </p>
{{#MANY}}
  <p class="notice">{{N_CHANGED:h}} settings changed at once: the effect cannot be attributed to any one of them.</p>
{{/MANY}}
{{/CHANGED}}
{{#REGRESSION}}
  <p class="notice regression">Slice regression: {{TEXT:h}}</p>
{{/REGRESSION}}
</section>
{{/VS_BASELINE}}
<section class="charts">
  <h2>Charts</h2>
  <div class="chart-grid">
{{#CHART}}
  <figure class="chart">
{{#SVG}}
    {{SVG_TEXT:none}}
{{/SVG}}
{{#IMG}}
    <img src="{{FILE:U=html}}" alt="{{ALT:h}}" title="{{TITLE:h}}">
{{/IMG}}
  </figure>
{{/CHART}}
  </div>
{{#MINOR_CHARTS}}
  <details class="minor-charts">
    <summary>{{N_MINOR:h}} more: counters, clocks and constants</summary>
    <div class="chart-grid">
{{#MINOR_CHART}}
  <figure class="chart">
{{#SVG}}
    {{SVG_TEXT:none}}
{{/SVG}}
{{#IMG}}
    <img src="{{FILE:U=html}}" alt="{{ALT:h}}" title="{{TITLE:h}}">
{{/IMG}}
  </figure>
{{/MINOR_CHART}}
    </div>
  </details>
{{/MINOR_CHARTS}}
{{#NO_CHARTS}}
  <p class="empty">No charts were drawn for this run.</p>
{{/NO_CHARTS}}
{{#MORE_CHARTS}}
  <p class="note">{{TEXT:h}}.</p>
{{/MORE_CHARTS}}
{{#FOLDED}}
  <p class="note">{{N_FOLDED:h}} more columns are summarised below instead of drawn: a run gets at most {{MAX_CHARTS:h}} charts.</p>
  <div class="table-wrap">
  <table class="columns folded cards">
    <thead>
      <tr><th scope="col">Column</th><th scope="col">Values logged</th><th scope="col">Lowest</th><th scope="col">Highest</th><th scope="col">Last logged</th></tr>
    </thead>
    <tbody>
{{#FOLDED_COLUMN}}
      <tr><td><code>{{NAME:h}}</code></td><td data-label="Values logged">{{N:h}}</td><td data-label="Lowest">{{MIN:h}}</td><td data-label="Highest">{{MAX:h}}</td><td data-label="Last logged">{{LAST:h}}</td></tr>
{{/FOLDED_COLUMN}}
    </tbody>
  </table>
  </div>
{{/FOLDED}}
</section>
<section class="config">
  <h2>Config</h2>
{{#CONFIG}}
  <p class="source">From <code>{{CONFIG_PATH:h}}</code></p>
{{#CONFIG_TABLE}}
  <div class="table-wrap">
  <table class="kv">
    <thead>
      <tr><th scope="col">Key</th><th scope="col">Value</th></tr>
    </thead>
    <tbody>
{{#ENTRY}}
      <tr>
        <th scope="row"><code>{{KEY:h}}</code></th>
        <td><code>{{VALUE:h}}</code></td>
      </tr>
{{/ENTRY}}
    </tbody>
  </table>
  </div>
{{/CONFIG_TABLE}}
{{#CONFIG_LINE}}
  <p class="kv-line">{{#ENTRY}}<code>{{KEY:h}}=<wbr>{{VALUE:h}}</code> {{/ENTRY}}</p>
{{/CONFIG_LINE}}
{{#CONFIG_EMPTY}}
  <p class="empty">The config file holds no settings.</p>
{{/CONFIG_EMPTY}}
{{/CONFIG}}
{{#NO_CONFIG}}
  <p class="empty">No config file found.</p>
{{/NO_CONFIG}}
{{#CONFIG_ERROR}}
  <p class="notice"><strong>The config file could not be read:</strong> {{ERROR:h}}</p>
{{/CONFIG_ERROR}}
</section>
<section class="data">
  <h2>Data</h2>
{{#ONE_FILE}}
  <p class="source">Read from <code>{{METRICS_PATH:h}}</code> ({{FORMAT:h}}): {{NROWS:h}} distinct values of {{XNAME:h}}, the x axis{{#XBASE}}, counted from {{BASE:h}} as the logger does{{/XBASE}} (rows of one {{XNAME:h}} are merged){{#COLUMN_LIST}}; columns {{LIST:h}}, each read under its name in the log{{/COLUMN_LIST}}.</p>
{{/ONE_FILE}}
{{#PAGE}}
  <dl class="facts">
    <dt>Format</dt>
    <dd>{{FORMAT:h}}</dd>
    <dt>Read from</dt>
    <dd><code>{{METRICS_PATH:h}}</code></dd>
    <dt>Points logged</dt>
    <dd>{{NROWS:h}} distinct values of {{XNAME:h}} (rows of one {{XNAME:h}} are merged)</dd>
    <dt>x axis</dt>
    <dd>{{XNAME:h}}{{#XBASE}}, counted from {{BASE:h}} as the logger does{{/XBASE}}</dd>
{{#COLUMN_LIST}}
    <dt>Columns</dt>
    <dd>{{LIST:h}}, each read under its name in the log</dd>
{{/COLUMN_LIST}}
  </dl>
{{/PAGE}}
{{#NOTE}}
  <p class="note">{{TEXT:h}}</p>
{{/NOTE}}
{{#COLUMNS}}
  <div class="table-wrap">
  <table class="columns">
    <thead>
      <tr><th scope="col">Read as</th><th scope="col">Name in the log</th></tr>
    </thead>
    <tbody>
{{#COLUMN}}
      <tr><td><code>{{NAME:h}}</code></td><td>{{#ORIG}}<code>{{ORIG_NAME:h}}</code>{{/ORIG}}{{#SAME}}<span class="muted">same</span>{{/SAME}}</td></tr>
{{/COLUMN}}
    </tbody>
  </table>
  </div>
{{/COLUMNS}}
</section>
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
