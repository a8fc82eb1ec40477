# Sentences of the window that carry a number, in Chinese. Fixed labels live in src/i18n.rs.
cases-total = 共 { $count } 件
