{{%AUTOESCAPE context="HTML"}}
{{! single.tpl - the frame of the one-file report, filled by single_write()}}
{{! in src/single.c: the stylesheet inline, the one <main> that holds the}}
{{! sections html.c rendered (index.tpl, compare.tpl and run.tpl in their}}
{{! ONE_FILE parts) and sort.js inline. The variables are reportgen's own}}
{{! markup and code, its user text escaped once already by those templates:}}
{{! :none keeps them as they are.}}
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>reportgen report</title>
<style>
{{CSS:none}}
section.folded + section.folded { border-top: 2px solid var(--border); margin-top: 32px; padding-top: 8px; }
</style>
</head>
<body>
<main>
{{SECTIONS:none}}</main>
{{#SCRIPT}}
<script>
{{JS:none}}</script>
{{/SCRIPT}}
</body>
</html>
