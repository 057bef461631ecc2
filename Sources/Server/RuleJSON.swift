import FoundationEssentials
import Pipeline

/// One rule object of the configuration file on its own, for `imagestack process --config`: the same parser,
/// presets and error messages as the server's `rules` entries (added by the pipeline issue; ConfigFile.swift is
/// the server's).
extension RuleSettings {
    public static func parse(ruleJSON data: Data) throws(ConfigError) -> RuleSettings {
        let model: RuleModel
        do {
            model = try JSONDecoder().decode(RuleModel.self, from: data)
        } catch let error as ConfigError {
            throw error
        } catch let error as DecodingError {
            throw ConfigError(decoding: error)
        } catch {
            throw ConfigError(field: "(rule)", message: "\(error)")
        }
        return model.rule.settings
    }
}
