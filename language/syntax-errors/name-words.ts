// The keywords that the grammar also accepts as names, read from the grammar itself so no list can drift.
import { AstUtils, GrammarAST, type Grammar } from 'langium';

/** Keywords reachable from the `Name` datatype rule, plus the ID terminal. */
export function nameWords(grammar: Grammar): Set<string> {
    const words = new Set<string>(['ID']);
    const visited = new Set<GrammarAST.AbstractRule>();
    const visit = (rule: GrammarAST.AbstractRule | undefined): void => {
        if (!rule || visited.has(rule) || !GrammarAST.isParserRule(rule)) {
            return;
        }
        visited.add(rule);
        for (const node of AstUtils.streamAllContents(rule)) {
            if (GrammarAST.isKeyword(node)) {
                words.add(node.value);
            } else if (GrammarAST.isRuleCall(node)) {
                visit(node.rule.ref);
            }
        }
    };
    visit(grammar.rules.find((rule) => rule.name === 'Name'));
    return words;
}
