# `karte compile` と、どのコマンドも最初に行うコンパイル (src/lib.rs、cli/commands/compile.rs)。
compile-files-changed = karte が読んでいる途中でプロジェクトのファイルが変わりました
compile-files-changed-help = もう一度コマンドを実行してください
compile-summary = { $total } 個のノードのうち { $selected } 個を { $seconds } 秒でコンパイルしました → { $target }
compile-summary-warnings = { $total } 個のノードのうち { $selected } 個を { $seconds } 秒でコンパイルしました (警告 { $warnings } 件) → { $target }
e000-cannot-serialise-manifest = マニフェストを JSON にできません: { $error }
compile-cannot-write = `{ $path }` に書き込めません: { $error }
