# Sentences of the window that carry a number, in English, with their plurals.
cases-total = { $count ->
    [one] Total { $count } case
   *[other] Total { $count } cases
}
