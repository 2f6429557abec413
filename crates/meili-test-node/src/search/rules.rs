//! Which ranking steps a search runs, in which order.
//!
//! Mirrors milli's `get_ranking_rules_for_query_graph_search`: the index's `rankingRules`
//! are walked in order; `words` is inserted before the first rule that needs it (unless the
//! matching strategy is `all`, which never runs `words`); the `sort` rule expands into the
//! request's sort criteria; `field:asc`/`field:desc` custom rules are sort criteria too; a
//! field is sorted on at most once. A placeholder search only runs the sort criteria.

use super::MatchingStrategy;

/// One sort criterion (from `sort` or a custom ranking rule).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct SortCriterion {
    /// Dotted field path.
    pub field: String,
    /// `true` for `:asc`.
    pub ascending: bool,
    /// The key shown in the details, `field:asc` or `field:desc`.
    pub key: String,
}

impl SortCriterion {
    /// Parses `field:asc` / `field:desc`; geo sorts and malformed criteria give `None`.
    pub(super) fn parse(criterion: &str) -> Option<Self> {
        let (field, direction) = criterion.rsplit_once(':')?;
        let ascending = match direction {
            "asc" => true,
            "desc" => false,
            _ => return None,
        };
        if field.is_empty() || field.starts_with("_geo") {
            return None;
        }
        Some(Self {
            field: field.to_owned(),
            ascending,
            key: criterion.to_owned(),
        })
    }
}

/// One step of the bucket sort.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Step {
    /// `words`: how many query words the document matches.
    Words,
    /// `typo`: how many typos the matches need.
    Typo,
    /// `proximity`: how close consecutive query words are.
    Proximity,
    /// `attributeRank`: in which searchable attribute the words are.
    AttributeRank,
    /// `wordPosition`: how far from the start of their attribute the words are.
    WordPosition,
    /// Legacy `attribute`: `attributeRank` and `wordPosition` reported together.
    Attribute,
    /// `exactness`: whether an attribute is, or starts with, the query.
    Exactness,
    /// A sort criterion.
    Sort(SortCriterion),
}

impl Step {
    fn is_query_rule(&self) -> bool {
        !matches!(self, Step::Words | Step::Sort(_))
    }
}

/// Steps of a search with query words.
pub(super) fn query_steps(
    ranking_rules: &[String],
    sort: &[String],
    strategy: MatchingStrategy,
) -> Vec<Step> {
    let mut steps = Vec::new();
    let mut words_added = strategy == MatchingStrategy::All;
    let mut sort_expanded = false;
    for rule in ranking_rules {
        let step = match rule.as_str() {
            "words" => Step::Words,
            "typo" => Step::Typo,
            "proximity" => Step::Proximity,
            "attributeRank" => Step::AttributeRank,
            "wordPosition" => Step::WordPosition,
            "attribute" => Step::Attribute,
            "exactness" => Step::Exactness,
            "sort" => {
                if !sort_expanded {
                    push_sorts(&mut steps, sort);
                    sort_expanded = true;
                }
                continue;
            }
            custom => match SortCriterion::parse(custom) {
                Some(criterion) => Step::Sort(criterion),
                None => continue,
            },
        };
        if step.is_query_rule() && !words_added {
            steps.push(Step::Words);
            words_added = true;
        }
        if step == Step::Words {
            if words_added {
                continue;
            }
            words_added = true;
        }
        push_unique(&mut steps, step);
    }
    if !sort_expanded {
        push_sorts(&mut steps, sort);
    }
    steps
}

/// Steps of a placeholder search (empty query): only sort criteria.
pub(super) fn placeholder_steps(ranking_rules: &[String], sort: &[String]) -> Vec<Step> {
    query_steps(ranking_rules, sort, MatchingStrategy::All)
        .into_iter()
        .filter(|step| matches!(step, Step::Sort(_)))
        .collect()
}

fn push_sorts(steps: &mut Vec<Step>, sort: &[String]) {
    for criterion in sort
        .iter()
        .filter_map(|criterion| SortCriterion::parse(criterion))
    {
        push_unique(steps, Step::Sort(criterion));
    }
}

/// Adds `step` unless it (or, for sorts, a sort on the same field) is already there;
/// `attribute` excludes `attributeRank`/`wordPosition` and the reverse.
fn push_unique(steps: &mut Vec<Step>, step: Step) {
    let duplicate = steps.iter().any(|existing| match (existing, &step) {
        (Step::Sort(old), Step::Sort(new)) => old.field == new.field,
        (Step::Attribute, Step::AttributeRank | Step::WordPosition | Step::Attribute)
        | (Step::AttributeRank | Step::WordPosition, Step::Attribute) => true,
        (old, new) => old == new,
    });
    if !duplicate {
        steps.push(step);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    fn default_rules() -> Vec<String> {
        strings(&[
            "words",
            "typo",
            "proximity",
            "attributeRank",
            "sort",
            "wordPosition",
            "exactness",
        ])
    }

    #[test]
    fn default_rules_expand_sort_in_place() {
        let steps = query_steps(
            &default_rules(),
            &strings(&["year:asc"]),
            MatchingStrategy::Last,
        );
        let year = SortCriterion {
            field: "year".into(),
            ascending: true,
            key: "year:asc".into(),
        };
        assert_eq!(
            steps,
            vec![
                Step::Words,
                Step::Typo,
                Step::Proximity,
                Step::AttributeRank,
                Step::Sort(year),
                Step::WordPosition,
                Step::Exactness
            ]
        );
    }

    #[test]
    fn words_is_inserted_before_the_first_query_rule_and_skipped_for_all() {
        let rules = strings(&["typo", "words"]);
        assert_eq!(
            query_steps(&rules, &[], MatchingStrategy::Last),
            vec![Step::Words, Step::Typo]
        );
        assert_eq!(
            query_steps(&rules, &[], MatchingStrategy::All),
            vec![Step::Typo]
        );
    }

    #[test]
    fn custom_rules_sorts_and_duplicates() {
        let rules = strings(&["year:desc", "sort", "attribute", "wordPosition", "bogus"]);
        let steps = query_steps(
            &rules,
            &strings(&["year:asc", "title:asc", "_geoPoint(1,2):asc"]),
            MatchingStrategy::Frequency,
        );
        let keys: Vec<String> = steps
            .iter()
            .map(|step| match step {
                Step::Sort(criterion) => criterion.key.clone(),
                other => format!("{other:?}"),
            })
            .collect();
        assert_eq!(
            keys,
            strings(&["year:desc", "title:asc", "Words", "Attribute"])
        );
        let placeholder = placeholder_steps(&default_rules(), &strings(&["year:asc", "title:asc"]));
        assert_eq!(placeholder.len(), 2);
    }

    #[test]
    fn sort_without_sort_rule_goes_last() {
        let steps = query_steps(
            &strings(&["words"]),
            &strings(&["year:asc"]),
            MatchingStrategy::Last,
        );
        assert!(matches!(steps.last(), Some(Step::Sort(_))));
    }
}
